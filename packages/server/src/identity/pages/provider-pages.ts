import type { KoaContextWithOIDC } from 'oidc-provider';
import { accountPage, escapeHtml, type AccountPage } from './account-page.ts';
import { links, paragraph } from './form-html.ts';

/**
 * The pages oidc-provider renders itself (RP-initiated logout, its errors), in the service's
 * frame and with its content policy.
 */

function send(ctx: KoaContextWithOIDC, page: AccountPage): void {
  ctx.type = 'html';
  ctx.set('content-security-policy', page.contentSecurityPolicy);
  ctx.body = page.html;
}

const AUTO_SIGN_OUT = "document.getElementById('sign-out').click();";

/**
 * Asked when the web app sends the browser here to sign out. When the app proved who asks (an
 * ID token of the signed-in account) the form submits itself: the user already chose to sign
 * out in the app, whose own form is CSRF-protected. Otherwise the user confirms.
 */
export function logoutPage(ctx: KoaContextWithOIDC, form: string): void {
  const hint = ctx.oidc.entities.IdTokenHint as { payload?: { sub?: unknown } } | undefined;
  const sessionAccount = ctx.oidc.session?.accountId;
  const proven = hint?.payload?.sub !== undefined && hint.payload.sub === sessionAccount;
  const body = [
    paragraph(proven ? 'Signing you out…' : 'Do you want to sign out of qrlog?'),
    // The library's form (action and its own anti-forgery value), then the buttons that submit it.
    form,
    '<button id="sign-out" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>',
    '<button type="submit" form="op.logoutForm">Stay signed in</button>',
  ].join('\n');
  send(ctx, accountPage('Sign out', body, proven ? AUTO_SIGN_OUT : undefined));
}

export function loggedOutPage(ctx: KoaContextWithOIDC, homeUrl: string): void {
  send(ctx, accountPage('Signed out', [paragraph('You are signed out.'), links([[homeUrl, 'Back to qrlog']])].join('\n')));
}

/** The library's error out-object: OAuth error code and description (never secrets). */
export function providerErrorPage(ctx: KoaContextWithOIDC, out: { error?: unknown; error_description?: unknown }, homeUrl: string): void {
  const code = typeof out.error === 'string' ? out.error : 'server_error';
  const description = typeof out.error_description === 'string' ? out.error_description : 'Something went wrong.';
  const body = [
    paragraph('Sign-in could not continue. Start again from the app.'),
    `<p class="note">${escapeHtml(code)}: ${escapeHtml(description)}</p>`,
    links([[homeUrl, 'Back to qrlog']]),
  ].join('\n');
  // The library set the status from the error already.
  send(ctx, accountPage('Sign-in stopped', body));
}
