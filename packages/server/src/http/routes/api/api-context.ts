import type { InvitationMailer } from '../../../core/tenancy/invitation-mailer.ts';
import type { TenancyServices } from '../../../core/tenancy/tenancy-services.ts';

/** What the /api/v1 routes share. */
export interface ApiContext {
  services: TenancyServices;
  mailer: InvitationMailer;
}
