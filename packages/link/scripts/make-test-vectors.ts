// Writes docs/test-vectors.json from the fixed inputs in src/test-vectors.ts.
// Run only when a format version is added: the test suite checks the code against the file, and
// the vectors of an existing version must never change.
import { writeFileSync } from 'node:fs';
import { makeVectors } from '../src/testing/test-vectors.ts';

const out = new URL('../../../docs/test-vectors.json', import.meta.url);
const doc = {
  description:
    'qrlog link test vectors, formats 1 and 2 (docs/link-format.md). For each: the format version, the key (hex), the content, the plaintext body (hex), the payload bytes = header ‖ AES-GCM-SIV(body) (hex), and the link.',
  vectors: makeVectors(),
};
writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
console.log(`wrote ${String(doc.vectors.length)} vectors to ${out.pathname}`);
