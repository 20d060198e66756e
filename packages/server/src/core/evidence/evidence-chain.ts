import { createHash } from 'node:crypto';

/** The hash before a logger's first link. */
export const CHAIN_START = Buffer.alloc(32);

export interface ChainedLink {
  /** The link's digits: its canonical form. */
  digits: string;
  receivedAt: number;
  prefix: string;
  via: string;
  sourceAddress: string;
}

/**
 * hash = SHA-256(previous hash ‖ link digits (ASCII) ‖ received-at (Unix ms, 64-bit big-endian)
 * ‖ prefix, via and source address, each as a 32-bit big-endian length and UTF-8). Any change to
 * a stored link, its arrival or its order breaks every later hash of that logger's chain.
 */
export function chainHash(previous: Uint8Array, link: ChainedLink): Buffer {
  const h = createHash('sha256');
  h.update(previous);
  h.update(link.digits, 'ascii');
  const at = Buffer.alloc(8);
  at.writeBigUInt64BE(BigInt(link.receivedAt));
  h.update(at);
  for (const field of [link.prefix, link.via, link.sourceAddress]) {
    const bytes = Buffer.from(field, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    h.update(len);
    h.update(bytes);
  }
  return h.digest();
}

/** How the same link received again is recognised. */
export function linkDigest(digits: string): Buffer {
  return createHash('sha256').update(digits, 'ascii').digest();
}
