import type { DirectoryUser } from './user-directory.ts';

/** What the invitation says beyond the user: where they are invited to, and by whom (for the text only). */
export interface InvitationContext {
  organizationName: string;
  /** The inviting user's display name or email; null when an operator or a script invited. */
  invitedBy: string | null;
}

/**
 * Sends invitations. Implemented by the embedded provider (a one-time token, the link printed to
 * the log without SMTP, mailed with QRLOG_SMTP_URL); without it (an external identity provider)
 * nothing is sent. Each method resolves to whether a message was handed to a mail transport
 * (what the members API answers as `invitationSent`); it rejects when delivery failed.
 */
export interface InvitationMailer {
  /** The way to set up the account of a user invited just now. */
  sendInvitation(user: DirectoryUser, context?: InvitationContext): Promise<boolean>;
  /**
   * An invitation to an address that has an account already (in another organization, or an
   * operator's): its owner learns of it, with nothing to accept, and the inviting admin learns nothing.
   */
  sendInvitationNotice(email: string, context: InvitationContext): Promise<boolean>;
}
