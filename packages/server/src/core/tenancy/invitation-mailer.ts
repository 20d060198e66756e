import type { DirectoryUser } from './user-directory.ts';

/** What the invitation says beyond the user: where they are invited to, and by whom (for the text only). */
export interface InvitationContext {
  organizationName: string;
  /** The inviting user's display name or email; null when an operator or a script invited. */
  invitedBy: string | null;
}

/**
 * Sends an invited user the way to set up their account. Implemented by the embedded provider
 * (a one-time token, the link printed to the log without SMTP, mailed with QRLOG_SMTP_URL);
 * the members API calls it right after creating the invited user. Must not throw for delivery
 * trouble it can retry or report otherwise; a throw is reported to the inviting admin as 502.
 */
export interface InvitationMailer {
  sendInvitation(user: DirectoryUser, context?: InvitationContext): Promise<void>;
}
