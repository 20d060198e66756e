import type { InvitationMailer } from './invitation-mailer.ts';
import type { DirectoryUser } from './user-directory.ts';

/**
 * Used when no invitation delivery exists (an external identity provider: the invited person
 * signs in there): notes in the log that a user was invited and that nothing was sent, and says
 * so to the caller (`invitationSent: false`). No address, no link.
 */
export function logOnlyInvitationMailer(log: (message: string) => void): InvitationMailer {
  return {
    sendInvitation(user: DirectoryUser) {
      log(`user ${user.id} was invited, but no invitation delivery is configured: nothing was sent`);
      return Promise.resolve(false);
    },
    sendInvitationNotice() {
      log('an address with an account elsewhere was invited; no invitation delivery is configured: nothing was sent');
      return Promise.resolve(false);
    },
  };
}
