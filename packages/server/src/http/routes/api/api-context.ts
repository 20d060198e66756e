import type { InvitationMailer } from '../../../core/tenancy/invitation-mailer.ts';
import type { TenancyServices } from '../../../core/tenancy/tenancy-services.ts';
import type { AnomalyQueries } from '../../../core/anomalies/anomaly-queries.ts';

/** What the /api/v1 routes share. */
export interface ApiContext {
  services: TenancyServices;
  mailer: InvitationMailer;
  /** Loggers' data anomalies; absent in apps built on services without them. */
  anomalies?: AnomalyQueries | undefined;
}
