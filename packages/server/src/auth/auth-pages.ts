import { escapeHtml, htmlPage, type HtmlPage } from '../common/html-page.ts';

/**
 * The few pages a browser sees during sign-in and sign-out. None of them says whether an
 * account exists: a refused sign-in reads the same for an unknown, unfinished or disabled one.
 */
export const AUTH_PATHS = {
  login: '/auth/login',
  callback: '/auth/callback',
  logout: '/auth/logout',
  session: '/auth/session',
  signedOut: '/auth/signed-out',
} as const;

function page(title: string, paragraphs: string[], link?: { href: string; text: string }): HtmlPage {
  const body = [
    '<main>',
    `<h1>${escapeHtml(title)}</h1>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    link === undefined ? '' : `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>`,
    '</main>',
  ].join('\n');
  return htmlPage(title, body);
}

export function signInRefusedPage(): HtmlPage {
  return page(
    'No access to qrlog',
    [
      'You signed in with your identity provider, but this account cannot use qrlog: it has not been invited, has not finished setting up, or has been disabled.',
      'Ask an administrator of your organization for an invitation, or sign in with another account.',
    ],
    { href: `${AUTH_PATHS.login}?prompt=login`, text: 'Sign in with another account' },
  );
}

export function signInFailedPage(): HtmlPage {
  return page('Sign-in did not complete', ['The sign-in was interrupted, took too long, or was started in another browser window. Please try again.'], {
    href: AUTH_PATHS.login,
    text: 'Sign in',
  });
}

export function signInUnavailablePage(): HtmlPage {
  return page('Sign-in is unavailable', ['The identity provider cannot be reached right now. Please try again in a few minutes.'], {
    href: AUTH_PATHS.login,
    text: 'Try again',
  });
}

export function tooManyAttemptsPage(): HtmlPage {
  return page('Too many attempts', ['Too many sign-in attempts came from your network. Please wait a minute and try again.']);
}

export function signedOutPage(): HtmlPage {
  return page('Signed out', ['You are signed out of qrlog.'], { href: AUTH_PATHS.login, text: 'Sign in again' });
}
