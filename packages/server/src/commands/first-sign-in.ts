import type { InvitationContext, InvitationMailer } from '../core/tenancy/invitation-mailer.ts';
import type { DirectoryUser } from '../core/tenancy/user-directory.ts';
import { AccountMailer, INVITATION_TTL_MS } from '../identity/account-mailer.ts';
import { AccountTokens } from '../identity/account-tokens.ts';
import type { MailMessage } from '../mail/mail-message.ts';
import type { Services } from '../app/open-services.ts';
import type { CommandIo } from './command-io.ts';
import { AppError } from '../common/app-error.ts';

/** How a user a command created gets in: what the command prints about their first sign-in. */
export type FirstSignIn =
  | { provider: 'embedded'; invitationLink: string; expiresAt: string; note: string }
  | { provider: 'external'; issuer: string; note: string };

/**
 * The invitation "mailer" of the bootstrap commands. With the embedded provider it makes the
 * invitation's one-time link (as the mail would carry it) for the command to print: the operator
 * passes it on privately, the invitee sets a password (and an authenticator, for admins and
 * operators) and is then signed in as that user. With an external provider (QRLOG_OIDC_ISSUER)
 * there is nothing to send: the first sign-in through the provider with this e-mail address,
 * verified by the provider, links the account (auth/sign-in-service.ts).
 */
export class FirstSignInInvitations implements InvitationMailer {
  private made: FirstSignIn | undefined;

  constructor(
    private readonly services: Services,
    private readonly io: CommandIo,
    private readonly publicUrl: string,
  ) {}

  /** What to print after `sendInvitation` (or `forUser`) ran. */
  get firstSignIn(): FirstSignIn {
    if (this.made === undefined) throw new Error('no invitation was made');
    return this.made;
  }

  /** True when a link was made (embedded provider); false with an external one, where nothing is sent. */
  async sendInvitation(user: DirectoryUser, context?: InvitationContext): Promise<boolean> {
    const issuer = this.io.env.QRLOG_OIDC_ISSUER;
    if (issuer !== undefined && issuer !== '') {
      this.made = { provider: 'external', issuer, note: `${user.email} signs in through ${issuer}; the first sign-in with this address, verified by the provider, links the account` };
      return false;
    }
    let message: MailMessage | undefined;
    const keep = {
      kind: 'log' as const,
      send(m: MailMessage) {
        message = m;
        return Promise.resolve({ via: 'log' as const, messageId: null, accepted: [] });
      },
    };
    const expiresAt = new Date(Date.now() + INVITATION_TTL_MS).toISOString();
    await new AccountMailer(new AccountTokens(this.services.database.db), keep, this.publicUrl).sendInvitation(user, context);
    if (message?.link === undefined) throw new Error('the invitation has no link');
    this.made = {
      provider: 'embedded',
      invitationLink: message.link,
      expiresAt,
      note: `pass the link on to ${user.email} privately: it works once, and whoever opens it sets the account's password`,
    };
    return true;
  }

  /**
   * The operator at the host may know what an organization's admin must not: an address with an
   * account elsewhere is refused plainly instead of answered as if invited.
   */
  sendInvitationNotice(): Promise<boolean> {
    return Promise.reject(new AppError('conflict', 'this address has an account already (in another organization, or an operator)', { reason: 'email-taken' }));
  }
}
