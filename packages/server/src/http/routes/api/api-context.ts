import type { InvitationMailer } from '../../../core/tenancy/invitation-mailer.ts';
import type { TenancyServices } from '../../../core/tenancy/tenancy-services.ts';
import type { MissionServices } from '../../../core/missions/mission-services.ts';

/** What the /api/v1 routes share. */
export interface ApiContext {
  services: TenancyServices;
  mailer: InvitationMailer;
  /** Absent in apps built without them (then no mission routes are registered). */
  missions?: MissionServices | undefined;
  /** The service's configured public URL (links it hands out); absent: the request's origin. */
  publicUrl?: string | undefined;
}
