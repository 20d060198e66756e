import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * decoder.html: one static file that opens links offline. Everything is inline (the bundled
 * script, the style); its content policy, in a meta tag, allows exactly that script and style by
 * hash and forbids every connection (connect-src 'none'), image and frame source, so the page
 * cannot send a key or a reading anywhere even if a link tried to make it.
 */
const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
body{margin:0 auto;padding:1rem;max-width:60rem;line-height:1.45}
h1{font-size:1.4rem}
section{margin:1rem 0;padding:.75rem;border:1px solid #8884;border-radius:.5rem}
textarea{width:100%;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem}
table{border-collapse:collapse;font-size:.85rem}
td,th{padding:.15rem .5rem;border-bottom:1px solid #8883;text-align:left}
td:nth-child(6){text-align:right;font-variant-numeric:tabular-nums}
figure{margin:.5rem 0}
svg{width:100%;max-width:600px;height:auto;border:1px solid #8883}
video{max-width:100%}
.error{color:#c00}
`;

const BODY = `<h1>qrlog offline decoder</h1>
<p>Opens logger links with the logger's key, in this browser only: this page has no network access at all.</p>
<section><h2>1. Key file</h2><input type="file" id="key-file" accept=".json,application/json" multiple> Loaded: <span id="keys">none</span></section>
<section><h2>2. Links</h2>
<p><label for="links">Paste links (one per line)</label></p><textarea id="links" rows="4" spellcheck="false"></textarea>
<p><button type="button" id="open-links">Open the links</button></p>
<p><label>…or a QR code in an image file <input type="file" id="image-file" accept="image/*" multiple></label></p>
<p><button type="button" id="camera">Read a QR code with the camera</button></p>
<video id="video" playsinline muted hidden></video></section>
<p id="message" role="status"></p>
<section><h2>3. Readings</h2>
<p><button type="button" id="csv" disabled>Export CSV</button> <button type="button" id="clear">Clear the readings</button></p>
<div id="charts"></div>
<table id="readings"><thead><tr><th>Logger</th><th>Session</th><th>Channel</th><th>Seq</th><th>Time (UTC)</th><th>Value</th><th>Unit</th><th>Status</th></tr></thead><tbody id="readings-body"></tbody></table></section>`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The bundled decoder script: the TypeScript source when run from sources (tsx), the compiled one from dist/. */
async function bundleScript(): Promise<string> {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(fromSources ? './decoder-app.ts' : './decoder-app.js', import.meta.url));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    // From sources, workspace packages resolve to their TypeScript too (as under tsx and vitest).
    conditions: fromSources ? ['development'] : [],
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no decoder script');
  // The script sits inside <script>: no "</script" may end it early.
  return output.text.replace(/<\/(script)/gi, '<\\/$1');
}

export async function decoderHtml(): Promise<string> {
  const script = await bundleScript();
  const policy = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(STYLE)}`,
    "connect-src 'none'",
    "img-src 'none'",
    "media-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<title>qrlog offline decoder</title>',
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    BODY,
    `<script>${script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
