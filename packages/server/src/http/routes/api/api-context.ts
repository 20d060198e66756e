import type { InvitationMailer } from '../../../core/tenancy/invitation-mailer.ts';
import type { TenancyServices } from '../../../core/tenancy/tenancy-services.ts';
import type { MissionServices } from '../../../core/missions/mission-services.ts';
import type { FreshSecondFactor } from '../../fresh-second-factor.ts';
import type { AnomalyQueries } from '../../../core/anomalies/anomaly-queries.ts';
import type { AttackResponse } from '../../../core/defense/attack-response.ts';

/** What the /api/v1 routes share. */
export interface ApiContext {
  services: TenancyServices;
  mailer: InvitationMailer;
  /** Absent in apps built without them (then no mission routes are registered). */
  missions?: MissionServices | undefined;
  /** The service's configured public URL (links it hands out); absent: the request's origin. */
  publicUrl?: string | undefined;
  /** The fresh second factor an emergency key download needs. */
  freshFactor: FreshSecondFactor;
  /** Loggers' data anomalies; absent in apps built on services without them. */
  anomalies?: AnomalyQueries | undefined;
  /** The attack response's operator routes; absent: not registered. */
  defense?: AttackResponse | undefined;
}
