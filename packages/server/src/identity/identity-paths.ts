/** Where the embedded provider and its pages answer, and the URLs derived from the public URL. */
export const OIDC_PATH = '/oidc';
export const INTERACTION_PATH = '/interaction';

export const ACCOUNT_PATHS = {
  /** Ask for a password-reset link. */
  reset: '/account/reset',
  /** The link's page: set a new password. */
  resetConfirm: '/account/reset/confirm',
  invitation: '/account/invitation',
  /** First-operator (or further operator) setup. */
  setup: '/account/setup',
  password: '/account/password',
  /** Set up (or replace) the authenticator app. */
  twoFactor: '/account/two-factor',
  /** Confirm an authenticator with a code (every enrolment ends here). */
  enrol: '/account/two-factor/confirm',
} as const;

/** The web app's OIDC callback, where it lands after signing out (the authentication layer's routes), and its home. */
export const WEB_CALLBACK_PATH = '/auth/callback';
export const WEB_SIGNED_OUT_PATH = '/auth/signed-out';
export const WEB_HOME_PATH = '/';

export function issuerFor(publicUrl: string): string {
  return `${publicUrl}${OIDC_PATH}`;
}

/** The API as a resource server: the `aud` of access tokens. */
export function apiAudienceFor(publicUrl: string): string {
  return `${publicUrl}/api`;
}

export function interactionPath(uid: string): string {
  return `${INTERACTION_PATH}/${encodeURIComponent(uid)}`;
}

/** A link carrying a one-time token in its fragment: browsers never send the fragment to a server or a proxy log. */
export function tokenLink(publicUrl: string, path: string, token: string): string {
  return `${publicUrl}${path}#${token}`;
}
