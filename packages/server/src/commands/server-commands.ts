import { apiKeysCreate } from './api-keys-create.ts';
import { backupList } from './backup-list.ts';
import { backupRestore } from './backup-restore.ts';
import { backupRun } from './backup-run.ts';
import { backupVerify } from './backup-verify.ts';
import { checkpointsCreate } from './checkpoints-create.ts';
import { checkpointsKeygen } from './checkpoints-keygen.ts';
import { checkpointsPublicKey } from './checkpoints-public-key.ts';
import { dbMigrate } from './db-migrate.ts';
import { demo } from './demo.ts';
import type { ServerCommand } from './command-io.ts';
import { keyReadersGrant, keyReadersRevoke } from './key-readers.ts';
import { loggersClaim } from './loggers-claim.ts';
import { loggersCoverage } from './loggers-coverage.ts';
import { loggersProvision } from './loggers-provision.ts';
import { loggersRotateKek } from './loggers-rotate-kek.ts';
import { operatorsAdd } from './operators-add.ts';
import { operatorsSetupLink } from './operators-setup-link.ts';
import { orgsCreate } from './orgs-create.ts';
import { orgsInvite } from './orgs-invite.ts';
import { readingsExport } from './readings-export.ts';
import { readingsRebuild } from './readings-rebuild.ts';
import { verify } from './verify.ts';

export type { ServerCommand, CommandIo } from './command-io.ts';

/** The operator commands of the server, by their name after `qrlog`. */
export const serverCommands: Record<string, ServerCommand> = {
  'loggers provision': loggersProvision,
  'loggers rotate-kek': loggersRotateKek,
  verify,
  'checkpoints create': checkpointsCreate,
  'checkpoints public-key': checkpointsPublicKey,
  'checkpoints keygen': checkpointsKeygen,
  'readings rebuild': readingsRebuild,
  'readings export': readingsExport,
  'loggers coverage': loggersCoverage,
  'orgs create': orgsCreate,
  'orgs invite': orgsInvite,
  'loggers claim': loggersClaim,
  'api-keys create': apiKeysCreate,
  'operators setup-link': operatorsSetupLink,
  'db migrate': dbMigrate,
  'operators add': operatorsAdd,
  'backup run': backupRun,
  'backup list': backupList,
  'backup verify': backupVerify,
  'backup restore': backupRestore,
  'key-readers grant': keyReadersGrant,
  'key-readers revoke': keyReadersRevoke,
  demo,
};
