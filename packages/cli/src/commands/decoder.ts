import { writeFileSync } from 'node:fs';
import { parse, required } from '../args.ts';
import type { Command } from '../command.ts';
import { decoderHtml } from '../decoder/decoder-html.ts';

export const decoder: Command = {
  name: 'decoder',
  summary: 'write the offline decoder: one HTML file that opens links in any browser, no network',
  usage: `qrlog decoder --out decoder.html

Writes a single static HTML page (script and style inline, a content policy that forbids every
connection) that opens links with a key file, offline: paste links, read a QR code from an image
file or the camera; readings as a table and a chart, exported as CSV. Prints {"out", "bytes"}.`,
  async run(argv, io) {
    const { values } = parse(argv, { out: { type: 'string' } });
    const out = required(values.out, '--out');
    const html = await decoderHtml();
    writeFileSync(out, html, { mode: 0o644 });
    io.json({ out, bytes: Buffer.byteLength(html) });
    return 0;
  },
};
