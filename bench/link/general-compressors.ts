// The fair baselines: general-purpose compressors on zigzag-varint deltas (issue 12). Each result
// is the compressed size in bytes; the bench writes it, plus the link's header/tag allowance, in
// the same numeric QR segment the link uses, so only the sample model is compared.
import { execFileSync } from 'node:child_process';
import { brotliCompressSync, constants, zstdCompressSync } from 'node:zlib';

/** Zigzag-varint deltas (the first value relative to 0): the input every compressor gets. */
export function zigzagVarintDeltas(steps: readonly number[]): Buffer {
  const bytes: number[] = [];
  let prev = 0;
  for (const x of steps) {
    let z = x - prev >= 0 ? (x - prev) * 2 : (prev - x) * 2 - 1;
    prev = x;
    while (z >= 0x80) {
      bytes.push((z & 0x7f) | 0x80);
      z >>>= 7;
    }
    bytes.push(z);
  }
  return Buffer.from(bytes);
}

export interface Compressor {
  name: string;
  bytes: (input: Buffer) => number;
}

const brotli: Compressor = {
  name: 'brotli q11',
  bytes: (input) => brotliCompressSync(input, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: input.length } }).length,
};

/** zstd at level 22 (what `zstd --ultra -22` sets), minus the 4-byte frame magic a magicless frame omits. */
const zstd: Compressor = {
  name: 'zstd -22',
  bytes: (input) => zstdCompressSync(input, { params: { [constants.ZSTD_c_compressionLevel]: 22, [constants.ZSTD_c_checksumFlag]: 0 } }).length - 4,
};

/** xz -9e with no container (`--format=raw`), the smaller of the LZMA1 and LZMA2 filters. Needs xz-utils. */
const xz: Compressor = {
  name: 'xz -9e raw',
  bytes: (input) =>
    Math.min(
      ...['--lzma1=preset=9e', '--lzma2=preset=9e'].map((filter) => execFileSync('xz', ['--format=raw', filter, '-c'], { input, maxBuffer: 1 << 26 }).length),
    ),
};

export const GENERAL_COMPRESSORS: readonly Compressor[] = [brotli, xz, zstd];
