import { apiKeysCreate } from './api-keys-create.ts';
import { dbMigrate } from './db-migrate.ts';
import type { ServerCommand } from './command-io.ts';
import { loggersClaim } from './loggers-claim.ts';
import { loggersCoverage } from './loggers-coverage.ts';
import { loggersProvision } from './loggers-provision.ts';
import { loggersRotateKek } from './loggers-rotate-kek.ts';
import { operatorsSetupLink } from './operators-setup-link.ts';
import { orgsCreate } from './orgs-create.ts';
import { readingsExport } from './readings-export.ts';
import { readingsRebuild } from './readings-rebuild.ts';
import { verify } from './verify.ts';

export type { ServerCommand, CommandIo } from './command-io.ts';

/** The operator commands of the server, by their name after `qrlog`. */
export const serverCommands: Record<string, ServerCommand> = {
  'loggers provision': loggersProvision,
  'loggers rotate-kek': loggersRotateKek,
  verify,
  'readings rebuild': readingsRebuild,
  'readings export': readingsExport,
  'loggers coverage': loggersCoverage,
  'orgs create': orgsCreate,
  'loggers claim': loggersClaim,
  'api-keys create': apiKeysCreate,
  'operators setup-link': operatorsSetupLink,
  'db migrate': dbMigrate,
};
