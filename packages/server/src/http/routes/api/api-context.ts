import type { InvitationMailer } from '../../../core/tenancy/invitation-mailer.ts';
import type { TenancyServices } from '../../../core/tenancy/tenancy-services.ts';
import type { AttackResponse } from '../../../core/defense/attack-response.ts';

/** What the /api/v1 routes share. */
export interface ApiContext {
  services: TenancyServices;
  mailer: InvitationMailer;
  /** The attack response's operator routes; absent: not registered. */
  defense?: AttackResponse | undefined;
}
