import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyUnwrapError, unwrapKey, wrapKey, type Kek } from './key-wrap.ts';

const kek: Kek = { label: 'k1', key: randomBytes(32) };
const binding = { serial: 'AB12CD34', keyVersion: 0, kekLabel: 'k1' };
const key = new Uint8Array(randomBytes(16));

describe('key wrap', () => {
  it('opens what it wrapped, and the wrap does not contain the key', () => {
    const wrapped = wrapKey(kek, binding, key);
    expect(wrapped.length).toBe(12 + 16 + 16);
    expect(wrapped.includes(Buffer.from(key))).toBe(false);
    expect(unwrapKey(kek, binding, wrapped)).toEqual(key);
  });

  it('uses a fresh nonce for every wrap', () => {
    expect(wrapKey(kek, binding, key).equals(wrapKey(kek, binding, key))).toBe(false);
  });

  it.each([
    ['another serial', { ...binding, serial: 'AB12CD35' }],
    ['another key version', { ...binding, keyVersion: 1 }],
  ])('does not open when moved to %s', (_what, other) => {
    const wrapped = wrapKey(kek, binding, key);
    expect(() => unwrapKey(kek, other, wrapped)).toThrow(KeyUnwrapError);
  });

  it('does not open under another KEK, even one given the same label', () => {
    const wrapped = wrapKey(kek, binding, key);
    expect(() => unwrapKey({ label: 'k1', key: randomBytes(32) }, binding, wrapped)).toThrow(KeyUnwrapError);
    expect(() => unwrapKey({ label: 'k2', key: kek.key }, { ...binding, kekLabel: 'k2' }, wrapped)).toThrow(KeyUnwrapError);
  });

  it('does not open when a bit is flipped, and says nothing about the key', () => {
    const wrapped = wrapKey(kek, binding, key);
    wrapped[20] = (wrapped[20] ?? 0) ^ 1;
    try {
      unwrapKey(kek, binding, wrapped);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KeyUnwrapError);
      const text = (e as Error).message;
      expect(text).not.toContain(Buffer.from(key).toString('hex'));
      expect(text).not.toContain(kek.key.toString('hex'));
      expect(text).not.toContain(kek.key.toString('base64'));
    }
  });
});
