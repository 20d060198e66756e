import type { InvitationMailer } from '../../../services/invitation-mailer.ts';
import type { TenancyServices } from '../../../services/tenancy-services.ts';

/** What the /api/v1 routes share. */
export interface ApiContext {
  services: TenancyServices;
  mailer: InvitationMailer;
}
