import { createHash } from 'node:crypto';

import { PAGE_LOOK_PATH } from './page-look.ts';

/**
 * The frame of the service's few HTML pages: mobile-first, the web app's look (the shared
 * stylesheet, served by the service itself), and a content policy that allows exactly that
 * stylesheet and the page's own inline script (by hash), nothing else.
 */
export interface HtmlPage {
  html: string;
  contentSecurityPolicy: string;
}

export function htmlPage(title: string, bodyHtml: string, script?: string): HtmlPage {
  return renderPage({
    title,
    style: '',
    stylesheet: PAGE_LOOK_PATH,
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
  /** A stylesheet of the service's own (same origin), linked before the inline style. */
  stylesheet?: string;
  body: string;
  script?: string | undefined;
  /** Content-policy directives added only when the page has a script. */
  scriptPolicy?: string[];
  /** The rest of the content policy, after default-src 'none' and the style/script hashes. */
  policy: string[];
}

/** One HTML document and its content policy; the service's page families differ only in the parts. */
export function renderPage(p: PageParts): HtmlPage {
  const sources = [`style-src ${p.stylesheet === undefined ? '' : "'self' "}'${sha256(p.style)}'`];
  if (p.script !== undefined) sources.push(`script-src '${sha256(p.script)}'`, ...(p.scriptPolicy ?? []));
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(p.title)}${p.titleSuffix ?? ''}</title>`,
    p.stylesheet === undefined ? '' : `<link rel="stylesheet" href="${escapeHtml(p.stylesheet)}">`,
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
