import { createHash } from 'node:crypto';

/** One logger's chain as a checkpoint covers it: how many links, and the hash of the newest. */
export interface ChainHead {
  serial: string;
  /** Links in the chain (the newest has chain index `chainLength − 1`). */
  chainLength: number;
  /** `evidence.hash` of the newest link: it commits to every link before it. */
  headHash: Buffer;
}

/**
 * A leaf's bytes: serial (32-bit big-endian length, then UTF-8), chain length (64-bit
 * big-endian), head hash (32 bytes). Fixed fields and a length prefix, so no two heads share
 * an encoding.
 */
export function leafData(head: ChainHead): Buffer {
  const serial = Buffer.from(head.serial, 'utf8');
  const out = Buffer.alloc(4 + serial.length + 8 + head.headHash.length);
  let at = out.writeUInt32BE(serial.length, 0);
  at += serial.copy(out, at);
  at = out.writeBigUInt64BE(BigInt(head.chainLength), at);
  head.headHash.copy(out, at);
  return out;
}

/** RFC 6962 §2.1 / RFC 9162 §2.1.1: a leaf hash is SHA-256(0x00 ‖ data), so it never equals a node hash. */
export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.from([0])).update(data).digest();
}

function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.from([1])).update(left).update(right).digest();
}

/**
 * The Merkle tree hash of RFC 6962 over leaf hashes in order: the empty tree hashes to
 * SHA-256(""); n > 1 leaves split at the largest power of two below n.
 */
export function merkleRoot(leafHashes: readonly Buffer[]): Buffer {
  if (leafHashes.length === 0) return createHash('sha256').digest();
  return subtree(leafHashes, 0, leafHashes.length);
}

function subtree(leaves: readonly Buffer[], from: number, n: number): Buffer {
  if (n === 1) return leaves[from] as Buffer;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(subtree(leaves, from, k), subtree(leaves, from + k, n - k));
}

/** Heads in the order a checkpoint lists them: by serial, compared as bytes (the same in every locale). */
export function sortHeads(heads: readonly ChainHead[]): ChainHead[] {
  return [...heads].sort((a, b) => Buffer.compare(Buffer.from(a.serial, 'utf8'), Buffer.from(b.serial, 'utf8')));
}

/** The root over the heads, in checkpoint order. */
export function headsRoot(heads: readonly ChainHead[]): Buffer {
  return merkleRoot(sortHeads(heads).map((h) => leafHash(leafData(h))));
}
