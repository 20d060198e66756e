import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aeadSeal } from './aead.ts';
import { bytesToDigits, digitsToBytes } from './decimal.ts';
import { generateKey } from './key-file.ts';
import { LinkError } from './link-error.ts';
import { openLink, parseLink } from './open-link.ts';
import { DEFAULT_FORMAT_VERSION, FORMAT_VERSIONS } from './format-version.ts';
import { sealLink, sealLink as sealWith } from './seal-link.ts';
import { linkContentArb, periodicContentArb } from './testing/arbitraries.ts';
import { roomContent } from './testing/room-series.ts';
import type { LinkContent, LoggerKey } from './types.ts';

function keyFor(c: LinkContent, bytes: 16 | 32 = 16): LoggerKey {
  return generateKey(c.serial, { keyVersion: c.keyVersion, bytes });
}

function expectLinkError(f: () => unknown, codes?: string[]): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LinkError);
    if (codes) expect(codes).toContain((e as LinkError).code);
    return;
  }
  expect.fail('expected a LinkError');
}

describe.each(FORMAT_VERSIONS)('format %i: sealLink / openLink round-trip', (formatVersion) => {
  it('round-trips random content exactly (extremes, gaps, faults, shock, every channel)', () => {
    fc.assert(
      fc.property(linkContentArb(), fc.constantFrom<16 | 32>(16, 32), (content, bytes) => {
        const key = keyFor(content, bytes);
        const link = sealLink(content, key, { formatVersion });
        expect(link.url).toBe(link.prefix + link.digits);
        expect(openLink(link.url, key)).toEqual(content);
      }),
      { numRuns: 400 },
    );
  });

  it('round-trips periodic series, whatever model the encoder picks', () => {
    fc.assert(
      fc.property(periodicContentArb(), (content) => {
        const key = keyFor(content);
        expect(openLink(sealLink(content, key, { formatVersion }).url, key)).toEqual(content);
      }),
      { numRuns: 200 },
    );
  });

  it('names its format version in the clear header', () => {
    const content = roomContent('AB12CD', 50);
    expect(parseLink(sealLink(content, keyFor(content), { formatVersion }).url).header.formatVersion).toBe(formatVersion);
  });
});

describe('sealLink / openLink', () => {
  it('shows only the format version, serial and key version without the key', () => {
    const content = roomContent('AB12CD', 500);
    const link = sealLink(content, keyFor(content));
    expect(parseLink(link.url).header).toEqual({ formatVersion: DEFAULT_FORMAT_VERSION, serial: 'AB12CD', keyVersion: 1 });
    expect(link.url.startsWith('https://localhost:8443/')).toBe(true);
  });

  it('keeps leading zeros of a serial', () => {
    for (const serial of ['0', '00', '000000000000', 'ZZZZZZZZZZZZ', '0A']) {
      const c = { ...roomContent(serial, 10), keyVersion: 15 };
      const key = keyFor(c);
      expect(openLink(sealLink(c, key).url, key).serial).toBe(serial);
    }
  });

  it('uses a configurable lowercase base URL and refuses others', () => {
    const c = roomContent('S1', 10);
    const key = keyFor(c);
    expect(sealLink(c, key, { baseUrl: 'https://q.example.org/l/' }).prefix).toBe('https://q.example.org/l/');
    for (const baseUrl of ['HTTPS://Q.EXAMPLE/', 'http://q.example/', 'https://q.example', 'https://q.example/?a=']) {
      expectLinkError(() => sealLink(c, key, { baseUrl }), ['unencodable']);
    }
  });

  it('refuses content it cannot represent with a typed error', () => {
    const c = roomContent('S1', 5);
    const key = keyFor(c);
    const bad: ((x: LinkContent) => void)[] = [
      (x) => (x.channels.temperature!.samples[2] = 21.05),
      (x) => (x.channels.temperature!.samples[2] = 150.1),
      (x) => (x.channels.temperature!.samples[2] = Number.NaN),
      (x) => (x.interval = 0),
      (x) => (x.sealedAt = x.sessionStart - 1),
      (x) => (x.battery = 101),
      (x) => (x.serial = 'ab'),
      (x) => (x.keyVersion = 16),
    ];
    for (const mutate of bad) {
      const x = structuredClone(c);
      mutate(x);
      expectLinkError(() => sealLink(x, { ...key, serial: x.serial, keyVersion: x.keyVersion }), ['unencodable', 'invalid-key']);
    }
  });
});

describe.each(FORMAT_VERSIONS)('format %i: an altered link is rejected, every time', (formatVersion) => {
  const samples = [roomContent('QL7', 2400, 1), roomContent('A', 40, 2)];
  const sealLink = (c: LinkContent, key: LoggerKey) => sealWith(c, key, { formatVersion });

  it('for every single-bit change of the payload', () => {
    for (const content of samples) {
      const key = keyFor(content);
      const { prefix, digits } = sealLink(content, key);
      const bytes = digitsToBytes(digits)!;
      let rejected = 0;
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        const flipped = bytes.slice();
        flipped[bit >> 3]! ^= 0x80 >> (bit & 7);
        if (flipped[0] === 0) {
          // the version byte became zero: the digits can no longer express it; still a rejection
          rejected++;
          continue;
        }
        expectLinkError(() => openLink(prefix + bytesToDigits(flipped), key));
        rejected++;
      }
      expect(rejected).toBe(bytes.length * 8);
    }
  });

  it('for every single-digit change and every truncation of the digits', () => {
    const content = samples[1]!;
    const key = keyFor(content);
    const { prefix, digits } = sealLink(content, key);
    for (let i = 0; i < digits.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === digits[i]) continue;
        expectLinkError(() => openLink(prefix + digits.slice(0, i) + String(d) + digits.slice(i + 1), key));
      }
      expectLinkError(() => openLink(prefix + digits.slice(0, i), key));
      expectLinkError(() => openLink(prefix + digits.slice(0, i) + digits.slice(i + 1), key));
    }
    expectLinkError(() => openLink(prefix + digits + '0', key));
    expectLinkError(() => openLink(prefix + '0' + digits, key), ['malformed']);
  });

  it('for a changed serial or key version in the clear header', () => {
    const content = samples[1]!;
    const key = keyFor(content);
    const link = sealLink(content, key);
    const other = sealLink({ ...content, serial: 'B' }, { ...key, serial: 'B' });
    const bytes = digitsToBytes(link.digits)!;
    const otherBytes = digitsToBytes(other.digits)!;
    // the other serial's header on this link's sealed bytes, opened with the other serial's identity and this key
    const spliced = Uint8Array.of(...otherBytes.subarray(0, 3), ...bytes.subarray(3));
    expectLinkError(() => openLink(link.prefix + bytesToDigits(spliced), { ...key, serial: 'B' }), ['auth-failed']);
    const keyVersionChanged = bytes.slice();
    keyVersionChanged[1] = (keyVersionChanged[1]! & 0x0f) | (2 << 4);
    expectLinkError(() => openLink(link.prefix + bytesToDigits(keyVersionChanged), { ...key, keyVersion: 2 }), ['auth-failed']);
  });

  it('for a wrong key, a wrong key version or another serial’s key', () => {
    const content = samples[1]!;
    const key = keyFor(content);
    const { url } = sealLink(content, key);
    expectLinkError(() => openLink(url, keyFor(content)), ['auth-failed']);
    expectLinkError(() => openLink(url, { ...key, keyVersion: 2 }), ['auth-failed']);
    expectLinkError(() => openLink(url, { ...key, serial: 'OTHER' }), ['auth-failed']);
  });

  it('garbage never throws anything but a LinkError', () => {
    const key = keyFor(samples[1]!);
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 3000 }), fc.stringMatching(/^[0-9]{0,2000}$/), fc.uint8Array({ minLength: 1, maxLength: 900 }).map((b) => (b[0] ? bytesToDigits(b) : 'x'))),
        (s) => {
          expectLinkError(() => openLink('https://localhost:8443/' + s, key));
          try {
            parseLink(s);
          } catch (e) {
            expect(e).toBeInstanceOf(LinkError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('authenticated garbage (a key in the wrong hands) ends in a LinkError or valid content, never a crash', () => {
    const content = samples[1]!;
    const key = keyFor(content);
    const header = digitsToBytes(sealLink(content, key).digits)!.subarray(0, 3);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (body) => {
        const payload = Uint8Array.of(...header, ...aeadSeal(key.key, body, header));
        try {
          const opened = openLink('https://q.example/' + bytesToDigits(payload), key);
          expect(opened.serial).toBe(content.serial);
        } catch (e) {
          expect(e).toBeInstanceOf(LinkError);
          expect((e as LinkError).code).toBe('invalid-content');
        }
      }),
      { numRuns: 3000 },
    );
  });
});
