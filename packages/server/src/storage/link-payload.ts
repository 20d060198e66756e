import { bytesToDigits, type ParsedLink } from '@qrlog/link';

/**
 * Evidence keeps a link's payload as bytes, not as its decimal digits (2.4 times smaller). The
 * link format writes the payload bytes as one big-endian integer in decimal without leading
 * zeros (its first byte, the format version, is never 0), so the digits come back exactly;
 * link-payload.test.ts checks this against the codec's own parser.
 */
export function payloadBytes(parsed: ParsedLink): Buffer {
  return Buffer.concat([parsed.aad, parsed.sealed]);
}

export function payloadDigits(payload: Uint8Array): string {
  return bytesToDigits(payload);
}
