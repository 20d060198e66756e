import { createHash } from 'node:crypto';

/**
 * The frame of the service's few HTML pages: mobile-first, no external assets, and a content
 * policy that allows exactly the page's own inline style and script (by hash), nothing else.
 */
const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
body{margin:0;padding:1.5rem 1.25rem;max-width:32rem;margin-inline:auto;line-height:1.5;font-size:1.125rem}
h1{font-size:1.5rem;margin:0 0 1rem}
.figure{font-size:2.5rem;font-weight:700;margin:0}
.serial{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:600;letter-spacing:.05em}
button{font:inherit;padding:.75rem 1.25rem;border-radius:.5rem;border:1px solid currentColor;background:transparent;color:inherit;width:100%;margin-top:1.5rem}
button[disabled]{opacity:.5}
.note{font-size:.95rem;opacity:.8}
.receipt{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;word-break:break-all;user-select:all}
`;

export interface HtmlPage {
  html: string;
  contentSecurityPolicy: string;
}

export function htmlPage(title: string, bodyHtml: string, script?: string): HtmlPage {
  return renderPage({
    title,
    style: STYLE,
    body: bodyHtml,
    script,
    scriptPolicy: ["connect-src 'self'"],
    policy: ["img-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"],
  });
}

export interface PageParts {
  title: string;
  titleSuffix?: string;
  style: string;
  body: string;
  script?: string | undefined;
  /** Content-policy directives added only when the page has a script. */
  scriptPolicy?: string[];
  /** The rest of the content policy, after default-src 'none' and the style/script hashes. */
  policy: string[];
}

/** One HTML document and its content policy; the service's page families differ only in the parts. */
export function renderPage(p: PageParts): HtmlPage {
  const sources = [`style-src '${sha256(p.style)}'`];
  if (p.script !== undefined) sources.push(`script-src '${sha256(p.script)}'`, ...(p.scriptPolicy ?? []));
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(p.title)}${p.titleSuffix ?? ''}</title>`,
    `<style>${p.style}</style>`,
    '</head>',
    '<body>',
    p.body,
    p.script === undefined ? '' : `<script>${p.script}</script>`,
    '</body>',
    '</html>',
  ].join('\n');
  const contentSecurityPolicy = ["default-src 'none'", ...sources, ...p.policy].join('; ');
  return { html, contentSecurityPolicy };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}
