import { ACCOUNT_PATHS } from '../identity-paths.ts';
import type { EnrolmentView } from '../totp-enrolment.ts';
import { accountPage, escapeHtml, type AccountPage } from './account-page.ts';
import { errorBox, field, form, hidden, links, paragraph } from './form-html.ts';

/** The sign-in pages of an OIDC interaction, and the authenticator enrolment page. */

export function loginPage(o: { action: string; csrf: string; email?: string; error?: string }): AccountPage {
  return accountPage(
    'Sign in',
    [
      errorBox(o.error),
      form(
        o.action,
        o.csrf,
        [
          field('email', 'Email', { type: 'email', autocomplete: 'username', value: o.email ?? '', autofocus: o.email === undefined || o.email === '' }),
          field('password', 'Password', { type: 'password', autocomplete: 'current-password', autofocus: o.email !== undefined && o.email !== '' }),
        ],
        'Sign in',
      ),
      links([
        [ACCOUNT_PATHS.reset, 'Forgot your password?'],
        [ACCOUNT_PATHS.twoFactor, 'Set up an authenticator app'],
      ]),
    ].join('\n'),
  );
}

/** `guarded`: asked after many failed sign-ins, whatever the password was (LocalAccounts.PasswordCheck). */
export function codePage(o: { action: string; csrf: string; step: string; error?: string; guarded?: boolean }): AccountPage {
  return accountPage(
    'Enter your code',
    [
      errorBox(o.error),
      o.guarded === true
        ? paragraph(
            'There were many failed sign-ins lately, so a password alone is not enough now. Enter the code of your authenticator app; without one, reset your password or try again in an hour.',
          )
        : '',
      paragraph('Open your authenticator app and enter the six-digit code it shows for qrlog.'),
      form(o.action, o.csrf, [hidden('step', o.step), field('code', 'Code', { autocomplete: 'one-time-code', code: true, autofocus: true })], 'Continue'),
    ].join('\n'),
  );
}

export function enrolPage(o: { action: string; csrf: string; view: EnrolmentView; required: boolean; error?: string }): AccountPage {
  return accountPage(
    'Set up your authenticator app',
    [
      errorBox(o.error),
      paragraph(
        o.required
          ? 'Your account needs a second step at sign-in: a code from an authenticator app (such as Aegis, Google Authenticator or 1Password).'
          : 'From now on, sign-in will also ask for a code from your authenticator app.',
      ),
      paragraph('Scan this code with the app:'),
      `<div class="qr" role="img" aria-label="QR code of the authenticator setup link">${o.view.qrSvg}</div>`,
      paragraph('Or enter this key in the app by hand (time-based, six digits):', 'note'),
      `<p class="secret">${escapeHtml(o.view.secretText)}</p>`,
      `<p class="note"><a href="${escapeHtml(o.view.uri)}">Open in an authenticator app on this device</a></p>`,
      form(o.action, o.csrf, [hidden('step', o.view.step), field('code', 'Code shown by the app', { autocomplete: 'one-time-code', code: true })], 'Confirm'),
    ].join('\n'),
  );
}

/** A page that only says something (done, expired, refused), with a way on. */
export function messagePage(title: string, text: string, next?: readonly [href: string, label: string]): AccountPage {
  return accountPage(title, [paragraph(text), next === undefined ? '' : links([next])].join('\n'));
}
