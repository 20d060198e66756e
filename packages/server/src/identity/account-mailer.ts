import type { InvitationContext, InvitationMailer } from '../core/tenancy/invitation-mailer.ts';
import type { DirectoryUser } from '../core/tenancy/user-directory.ts';
import type { AccountTokens } from './account-tokens.ts';
import { ACCOUNT_PATHS, tokenLink } from './identity-paths.ts';
import type { MailMessage, MailTransport } from '../mail/mail-message.ts';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;
export const RESET_TTL_MS = 30 * 60_000;

/**
 * The mails of the embedded provider: invitations (InvitationMailer, called by the members API
 * right after it creates the invited user) and password-reset links. Each carries a fresh
 * one-time token in its link; an earlier unused token of the same kind stops working.
 */
export class AccountMailer implements InvitationMailer {
  constructor(
    private readonly tokens: AccountTokens,
    private readonly transport: MailTransport,
    private readonly publicUrl: string,
  ) {}

  async sendInvitation(user: DirectoryUser, context?: InvitationContext): Promise<boolean> {
    if (user.status !== 'invited') throw new Error('only an invited user gets an invitation');
    await this.tokens.voidForUser(user.id, 'invitation');
    const { token, expiresAt } = await this.tokens.issue('invitation', user.id, INVITATION_TTL_MS);
    const link = tokenLink(this.publicUrl, ACCOUNT_PATHS.invitation, token);
    const where = context === undefined ? 'qrlog' : `${context.organizationName} on qrlog`;
    const by = context?.invitedBy == null ? '' : ` by ${context.invitedBy}`;
    await this.send({
      to: user.email,
      subject: `You are invited to ${where}`,
      link,
      text: [
        `You were invited${by} to ${where}.`,
        '',
        'Open this link to choose a password and finish your account:',
        link,
        '',
        `The link works once, until ${new Date(expiresAt).toUTCString()}.`,
        'If you did not expect this invitation, ignore this mail.',
      ].join('\n'),
    });
    return true;
  }

  async sendInvitationNotice(email: string, context: InvitationContext): Promise<boolean> {
    const where = `${context.organizationName} on qrlog`;
    const by = context.invitedBy === null ? '' : ` by ${context.invitedBy}`;
    await this.send({
      to: email,
      subject: `You were invited to ${where}`,
      text: [
        `You were invited${by} to ${where}.`,
        '',
        'This address has a qrlog account already, and an account belongs to one organization,',
        'so there is nothing to accept. If you want to join, ask whoever invited you to invite',
        'another address of yours. The inviting admin was not told that this address has an account.',
        '',
        'If you did not expect this invitation, ignore this mail.',
      ].join('\n'),
    });
    return true;
  }

  async sendPasswordReset(user: DirectoryUser): Promise<void> {
    await this.tokens.voidForUser(user.id, 'reset');
    const { token } = await this.tokens.issue('reset', user.id, RESET_TTL_MS);
    const link = tokenLink(this.publicUrl, ACCOUNT_PATHS.resetConfirm, token);
    await this.send({
      to: user.email,
      subject: 'Reset your qrlog password',
      link,
      text: [
        'Someone (hopefully you) asked to reset the password of your qrlog account.',
        '',
        'Open this link to choose a new password:',
        link,
        '',
        `The link works once, for ${String(RESET_TTL_MS / 60_000)} minutes.`,
        'If you did not ask for it, ignore this mail: your password stays as it is.',
      ].join('\n'),
    });
  }

  private async send(message: MailMessage): Promise<void> {
    await this.transport.send(message);
  }
}
