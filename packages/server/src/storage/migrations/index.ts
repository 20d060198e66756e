import type { QrlogMigration } from './migration.ts';
import { tables } from './0001-tables.ts';
import { appendOnly } from './0002-append-only.ts';
import { serviceRole } from './0003-service-role.ts';
import { identity } from './0010-identity.ts';
import { embeddedProvider } from './0011-embedded-provider.ts';
import { auth } from './0012-auth.ts';
import { scheduler } from './0013-scheduler.ts';
import { securityLog } from './0014-security-log.ts';
import { claimCodes } from './0015-claim-codes.ts';
import { accountThrottle } from './0016-account-throttle.ts';
import { missions } from './0017-missions.ts';
import { alerts } from './0018-alerts.ts';
import { provisioning } from './0019-provisioning.ts';
import { notifications } from './0020-notifications.ts';
import { keyExport } from './0023-key-export.ts';
import { dataAnomalies } from './0024-data-anomalies.ts';
import { sourceBlocks } from './0025-source-blocks.ts';
import { missionReports } from './0021-mission-reports.ts';
import { scanTimeIndex } from './0028-scan-time-index.ts';

/** Every migration, in order; names are stored in kysely_migration and never change. */
export const MIGRATIONS: Record<string, QrlogMigration> = {
  '0001-tables': tables,
  '0002-append-only': appendOnly,
  '0003-service-role': serviceRole,
  '0010-identity': identity,
  '0011-embedded-provider': embeddedProvider,
  '0012-auth': auth,
  '0013-scheduler': scheduler,
  '0014-security-log': securityLog,
  '0015-claim-codes': claimCodes,
  '0016-account-throttle': accountThrottle,
  '0017-missions': missions,
  '0018-alerts': alerts,
  '0019-provisioning': provisioning,
  '0020-notifications': notifications,
  '0021-mission-reports': missionReports,
  '0023-key-export': keyExport,
  '0024-data-anomalies': dataAnomalies,
  '0025-source-blocks': sourceBlocks,
  '0028-scan-time-index': scanTimeIndex,
};
