import { escapeHtml, renderPage, type HtmlPage } from '../../common/html-page.ts';

/**
 * The frame of the sign-in and account pages: mobile-first, no external assets, and a content
 * policy that allows the page's own inline style and script (by hash) and forms posting back to
 * this origin, nothing else.
 */
const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
body{margin:0;padding:1.5rem 1.25rem;max-width:28rem;margin-inline:auto;line-height:1.5;font-size:1.0625rem}
h1{font-size:1.5rem;margin:0 0 1rem}
label{display:block;margin-top:1rem;font-weight:600}
input{display:block;box-sizing:border-box;width:100%;font:inherit;padding:.65rem .75rem;margin-top:.35rem;border-radius:.5rem;border:1px solid #8a8a8a;background:transparent;color:inherit}
input.code{font-family:ui-monospace,Menlo,Consolas,monospace;letter-spacing:.2em;font-size:1.4rem}
button{font:inherit;font-weight:600;padding:.75rem 1.25rem;border-radius:.5rem;border:1px solid currentColor;background:transparent;color:inherit;width:100%;margin-top:1.5rem;cursor:pointer}
.error{border:1px solid #c0392b;border-radius:.5rem;padding:.6rem .8rem;margin:0 0 1rem}
.note{font-size:.95rem;opacity:.8}
.secret{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.05rem;word-break:break-all;user-select:all}
.qr{display:block;margin:1rem auto;max-width:16rem}
.qr svg{display:block;width:100%;height:auto}
nav{margin-top:2rem;font-size:.95rem}
nav a{margin-right:1rem}
`;

export type AccountPage = HtmlPage;

export function accountPage(title: string, bodyHtml: string, script?: string): AccountPage {
  return renderPage({
    title,
    titleSuffix: ' · qrlog',
    style: STYLE,
    body: `<h1>${escapeHtml(title)}</h1>\n${bodyHtml}`,
    script,
    policy: ["base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"],
  });
}

export { escapeHtml };
