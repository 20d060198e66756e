import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from './key-file.ts';
import { openLink } from './open-link.ts';
import { makeVectors } from './testing/test-vectors.ts';
import type { TestVector } from './testing/test-vectors.ts';

const file = JSON.parse(readFileSync(new URL('../../../docs/test-vectors.json', import.meta.url), 'utf8')) as { vectors: TestVector[] };

describe('docs/test-vectors.json', () => {
  it('is what the codec produces today, byte for byte', () => {
    expect(makeVectors()).toEqual(file.vectors);
  });

  it('opens back to each vector’s content', () => {
    expect(file.vectors.length).toBeGreaterThanOrEqual(4);
    for (const v of file.vectors) {
      const key = { serial: v.key.serial, keyVersion: v.key.keyVersion, key: hexToBytes(v.key.key) };
      expect(openLink(v.url, key)).toEqual(v.content);
      expect(v.url.startsWith(v.baseUrl)).toBe(true);
      expect(BigInt('0x' + v.payloadHex).toString()).toBe(v.url.slice(v.baseUrl.length));
    }
  });
});
