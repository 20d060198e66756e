import { ByteReader } from './byte-reader.ts';
import type { ByteWriter } from './byte-writer.ts';
import { SERIAL_BYTES } from './serial.ts';
import type { LinkHeader } from './types.ts';

/**
 * The clear header: format version (1 byte), key version and serial length (1 byte, 4 bits each),
 * serial as a big-endian base-36 number in SERIAL_BYTES[length] bytes. It is also the AEAD's
 * associated data, so every header bit is authenticated.
 */
export function writeHeader(w: ByteWriter, h: LinkHeader): void {
  w.u8(h.formatVersion);
  w.u8((h.keyVersion << 4) | h.serial.length);
  let n = BigInt(parseInt(h.serial[0] ?? '0', 36));
  for (const c of h.serial.slice(1)) n = n * 36n + BigInt(parseInt(c, 36));
  const len = SERIAL_BYTES[h.serial.length] ?? 0;
  for (let i = len - 1; i >= 0; i--) w.u8(Number((n >> BigInt(8 * i)) & 0xffn));
}

/** The header and the bytes it spans; `serial` undefined when the packed number does not fit its length. */
export function readHeader(r: ByteReader): { formatVersion: number; keyVersion: number; serial: string | undefined } {
  const formatVersion = r.u8();
  const b = r.u8();
  const keyVersion = b >> 4;
  const length = b & 0x0f;
  const bytes = SERIAL_BYTES[length];
  if (length === 0 || bytes === undefined) return { formatVersion, keyVersion, serial: undefined };
  let n = 0n;
  for (const x of r.bytes(bytes)) n = (n << 8n) | BigInt(x);
  const serial = n.toString(36).toUpperCase().padStart(length, '0');
  return { formatVersion, keyVersion, serial: serial.length === length ? serial : undefined };
}
