import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from './key-file.ts';
import { openLink } from './open-link.ts';
import { chooseModel } from './model-search.ts';
import { usesPeriod } from './sample-model-v2.ts';
import { makeVectors, vectorInputs } from './testing/test-vectors.ts';
import type { TestVector } from './testing/test-vectors.ts';

/** SHA-256 (first 8 bytes) of the four format 1 links as first published: they must never change. */
const V1_URL_HASHES = ['c47b5318d472fbb8', 'bcf7132db5a0d630', '14e4947ac0b5153d', 'cf9056245e0bbe7c'];

const file = JSON.parse(readFileSync(new URL('../../../docs/test-vectors.json', import.meta.url), 'utf8')) as { vectors: TestVector[] };

describe('docs/test-vectors.json', () => {
  it('is what the codec produces today, byte for byte', () => {
    expect(makeVectors()).toEqual(file.vectors);
  });

  it('keeps the format 1 vectors of the first release (v1 links keep opening)', () => {
    const v1 = file.vectors.filter((v) => v.formatVersion === 1);
    expect(v1.map((v) => v.name)).toEqual(vectorInputs().map((i) => i.name));
    for (const v of v1) expect(v.payloadHex.startsWith('01')).toBe(true);
    expect(v1.map((v) => createHash('sha256').update(v.url).digest('hex').slice(0, 16))).toEqual(V1_URL_HASHES);
  });

  it('has format 2 vectors, one of them with a seasonal model', () => {
    const v2 = file.vectors.filter((v) => v.formatVersion === 2);
    expect(v2.length).toBeGreaterThanOrEqual(5);
    for (const v of v2) expect(v.payloadHex.startsWith('02')).toBe(true);
    const periodic = v2.find((v) => v.name.startsWith('four days'));
    const samples = periodic?.content.channels.temperature?.samples ?? [];
    const steps = samples.map((x) => (x === null ? 'gap' : x === 'fault' ? x : Math.round(x * 10)));
    expect(usesPeriod(chooseModel(steps, true, 3600))).toBe(true);
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
