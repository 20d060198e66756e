import type { InvitationMailer } from '../../../core/tenancy/invitation-mailer.ts';
import type { TenancyServices } from '../../../core/tenancy/tenancy-services.ts';
import type { FreshSecondFactor } from '../../fresh-second-factor.ts';

/** What the /api/v1 routes share. */
export interface ApiContext {
  services: TenancyServices;
  mailer: InvitationMailer;
  /** The fresh second factor an emergency key download needs. */
  freshFactor: FreshSecondFactor;
}
