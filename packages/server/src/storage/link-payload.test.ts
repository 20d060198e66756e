import { generateKey, parseLink } from '@qrlog/link';
import { describe, expect, it } from 'vitest';
import { makeLink } from '../testing/test-links.ts';
import { payloadBytes, payloadDigits } from './link-payload.ts';

describe('link payload storage', () => {
  it('gives back exactly the digits the codec parsed', () => {
    for (const count of [1, 10, 500, 2000]) {
      const link = makeLink(generateKey('AB12CD34'), { count, seed: count, humidity: count > 100 });
      const parsed = parseLink(link);
      const bytes = payloadBytes(parsed);
      expect(bytes.length).toBeLessThan(parsed.digits.length / 2.3);
      expect(payloadDigits(bytes)).toBe(parsed.digits);
    }
  });
});
