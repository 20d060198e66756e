import { MIN_PASSWORD_LENGTH } from '../password-hasher.ts';
import { accountPage, type AccountPage } from './account-page.ts';
import { errorBox, field, form, paragraph } from './form-html.ts';

/**
 * Pages reached from a link (reset, invitation, setup) or typed in (password, authenticator).
 * A link carries its token after '#', which browsers keep to themselves: this script moves it
 * into the form and out of the address bar. Without scripts the field shows, to paste it into.
 */
const TOKEN_FROM_FRAGMENT = [
  "var t=document.getElementById('f-token');",
  "var h=location.hash.slice(1);",
  "if(t&&h){t.value=h;history.replaceState(null,'',location.pathname);}",
  "if(t&&t.value){t.parentElement.hidden=true;}",
].join('');

function tokenField(value: string | undefined): string {
  return `<div>${field('token', 'Code from your link (the part after #)', { value: value ?? '', autocomplete: 'off' })}</div>`;
}

const passwordNote = paragraph(`At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a good one.`, 'note');

function newPasswordFields(): string[] {
  return [
    field('password', 'New password', { type: 'password', autocomplete: 'new-password' }),
    field('password2', 'New password again', { type: 'password', autocomplete: 'new-password' }),
  ];
}

export function resetRequestPage(o: { action: string; csrf: string; error?: string; email?: string }): AccountPage {
  return accountPage(
    'Reset your password',
    [
      errorBox(o.error),
      paragraph('Enter the email address of your account. We will send you a link to choose a new password.'),
      form(o.action, o.csrf, [field('email', 'Email', { type: 'email', autocomplete: 'username', value: o.email ?? '', autofocus: true })], 'Send the link'),
    ].join('\n'),
  );
}

export function resetConfirmPage(o: { action: string; csrf: string; token?: string; error?: string }): AccountPage {
  return accountPage(
    'Choose a new password',
    [
      errorBox(o.error),
      form(
        o.action,
        o.csrf,
        [
          tokenField(o.token),
          ...newPasswordFields(),
          passwordNote,
          field('code', 'Code from your authenticator app (if you use one)', { autocomplete: 'one-time-code', code: true, required: false }),
        ],
        'Set the password',
      ),
    ].join('\n'),
    TOKEN_FROM_FRAGMENT,
  );
}

export function invitationPage(o: { action: string; csrf: string; token?: string; error?: string }): AccountPage {
  return accountPage(
    'Set up your account',
    [errorBox(o.error), paragraph('You were invited to qrlog. Choose a password to finish your account.'), form(o.action, o.csrf, [tokenField(o.token), ...newPasswordFields(), passwordNote], 'Continue')].join(
      '\n',
    ),
    TOKEN_FROM_FRAGMENT,
  );
}

export function setupPage(o: { action: string; csrf: string; token?: string; email?: string; error?: string }): AccountPage {
  return accountPage(
    'Set up an operator account',
    [
      errorBox(o.error),
      paragraph('This link makes a platform operator account for this qrlog service: your email address, a password, then an authenticator app.'),
      form(
        o.action,
        o.csrf,
        [tokenField(o.token), field('email', 'Email', { type: 'email', autocomplete: 'username', value: o.email ?? '' }), ...newPasswordFields(), passwordNote],
        'Continue',
      ),
    ].join('\n'),
    TOKEN_FROM_FRAGMENT,
  );
}

export function passwordChangePage(o: { action: string; csrf: string; email?: string; error?: string }): AccountPage {
  return accountPage(
    'Change your password',
    [
      errorBox(o.error),
      form(
        o.action,
        o.csrf,
        [
          field('email', 'Email', { type: 'email', autocomplete: 'username', value: o.email ?? '' }),
          field('current', 'Current password', { type: 'password', autocomplete: 'current-password' }),
          field('code', 'Code from your authenticator app (if you use one)', { autocomplete: 'one-time-code', code: true, required: false }),
          ...newPasswordFields(),
          passwordNote,
        ],
        'Change the password',
      ),
    ].join('\n'),
  );
}

export function twoFactorStartPage(o: { action: string; csrf: string; email?: string; error?: string }): AccountPage {
  return accountPage(
    'Set up an authenticator app',
    [
      errorBox(o.error),
      paragraph('Sign-in will then also ask for a code from the app. To replace the app you use now, enter a code from it as well.'),
      form(
        o.action,
        o.csrf,
        [
          field('email', 'Email', { type: 'email', autocomplete: 'username', value: o.email ?? '' }),
          field('password', 'Password', { type: 'password', autocomplete: 'current-password' }),
          field('code', 'Code from your current authenticator app (if you have one)', { autocomplete: 'one-time-code', code: true, required: false }),
        ],
        'Continue',
      ),
    ].join('\n'),
  );
}
