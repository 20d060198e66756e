import { escapeHtml, renderPage, type HtmlPage } from '../../common/html-page.ts';
import type { UnsubscribeTarget } from '../../core/notifications/unsubscribe-links.ts';

const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
body{margin:0;padding:1.5rem 1.25rem;max-width:32rem;margin-inline:auto;line-height:1.5;font-size:1.125rem}
h1{font-size:1.5rem;margin:0 0 1rem}
button{font:inherit;padding:.75rem 1.25rem;border-radius:.5rem;border:1px solid currentColor;background:transparent;color:inherit;width:100%;margin-top:1rem}
.note{font-size:.95rem;opacity:.8}
`;

const WHAT: Record<UnsubscribeTarget['category'], string> = {
  alerts: 'alert notifications and daily digests',
  operator: 'platform operator notices (attacks, backups)',
};

/**
 * The unsubscribe link's page: no script, no sign-in. Opening it changes nothing (mail scanners
 * open links); the button posts back to the same address.
 */
export function unsubscribeConfirmPage(target: UnsubscribeTarget): HtmlPage {
  return page(
    'Unsubscribe',
    [
      '<h1>Unsubscribe</h1>',
      `<p>Stop ${escapeHtml(WHAT[target.category])} from qrlog to ${escapeHtml(target.maskedRecipient)}?</p>`,
      '<form method="post"><button type="submit">Unsubscribe</button></form>',
    ].join('\n'),
  );
}

export function unsubscribedPage(target: UnsubscribeTarget): HtmlPage {
  return page(
    'Unsubscribed',
    [
      '<h1>Unsubscribed</h1>',
      `<p>${escapeHtml(target.maskedRecipient)} gets no more ${escapeHtml(WHAT[target.category])} from qrlog.</p>`,
      '<p class="note">Signed-in users can turn them on again in their notification preferences.</p>',
    ].join('\n'),
  );
}

export function unknownUnsubscribeLinkPage(): HtmlPage {
  return page('Link not valid', '<h1>This link is not valid</h1>\n<p>Copy the whole link from the mail, or ask the sender of the mails to stop them.</p>');
}

function page(title: string, body: string): HtmlPage {
  // The form posts to the page's own address: form-action 'self', nothing else.
  return renderPage({ title, titleSuffix: ' · qrlog', style: STYLE, body, policy: ["form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"] });
}
