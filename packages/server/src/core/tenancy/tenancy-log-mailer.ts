import type { InvitationMailer } from './invitation-mailer.ts';
import type { DirectoryUser } from './user-directory.ts';

/**
 * Used until an invitation delivery is configured (the embedded provider's mailer replaces it):
 * notes in the log that a user was invited and that nothing was sent. No address, no link.
 */
export function logOnlyInvitationMailer(log: (message: string) => void): InvitationMailer {
  return {
    sendInvitation(user: DirectoryUser) {
      log(`user ${user.id} was invited, but no invitation delivery is configured: nothing was sent`);
      return Promise.resolve();
    },
  };
}
