import { createHmac } from 'node:crypto';
import type { LoggerKey } from '@qrlog/link';

/**
 * A key that follows from (seed, serial): fleets built from the same seed can open each other's links,
 * which makes tests and benchmarks reproducible. Anyone who knows the seed knows the key, so these are
 * for simulation only; real loggers get `generateKey` from @qrlog/link.
 */
export function deriveTestKey(seed: number, serial: string, keyVersion = 0): LoggerKey {
  const mac = createHmac('sha256', 'qrlog-simulator test key (not secret)').update(`${seed}/${serial}/${keyVersion}`).digest();
  return { serial, keyVersion, key: new Uint8Array(mac.subarray(0, 16)) };
}
