import { type BitModel, PROB_BITS, updateBitModel } from './bit-model.ts';

const TOP = 2 ** 24;
const TWO32 = 2 ** 32;

/**
 * Binary range encoder in the style of LZMA's (32-bit range, byte-wise output with carry
 * propagation through a cached byte and a run of 0xFF bytes). Two changes save bytes in a
 * payload of a few hundred: the always-zero first byte is not written, and `finish` writes only
 * as many bytes as needed to land inside the final interval (the decoder reads zeros past the end).
 */
export class RangeEncoder {
  private low = 0; // up to 2^32 + 2^32: kept as a double, exact below 2^53
  private range = 0xffffffff;
  private cache = 0;
  private cacheSize = 1;
  private out: number[] = [];
  private first = true;

  encodeBit(m: BitModel, bit: number): void {
    const bound = (this.range >>> PROB_BITS) * m.p;
    if (bit === 0) this.range = bound;
    else {
      this.low += bound;
      this.range -= bound;
    }
    updateBitModel(m, bit);
    this.normalize();
  }

  /** `count` raw bits of `value`, most significant first, each with probability 1/2. */
  encodeDirect(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      this.range = this.range >>> 1;
      if (Math.floor(value / 2 ** i) % 2 === 1) this.low += this.range;
      this.normalize();
    }
  }

  /**
   * Bytes emitted so far. The finished stream is at least this long unless its tail is zeros (which
   * finish drops); the model search uses it to stop a losing candidate early.
   */
  get emitted(): number {
    return this.out.length;
  }

  finish(): Uint8Array {
    // Smallest multiple of 2^24 (or 2^16, 2^8, 1) inside [low, low + range): one byte usually suffices
    // because range ≥ 2^24 after normalization.
    for (const step of [TOP, 2 ** 16, 2 ** 8, 1]) {
      const v = Math.ceil(this.low / step) * step;
      if (v < this.low + this.range) {
        this.low = v;
        break;
      }
    }
    for (let i = 0; i < 5; i++) this.shiftLow();
    const out = this.out;
    let end = out.length;
    while (end > 0 && out[end - 1] === 0) end--;
    return Uint8Array.from(out.slice(0, end));
  }

  private normalize(): void {
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.shiftLow();
    }
  }

  private shiftLow(): void {
    if (this.low < 0xff000000 || this.low >= TWO32) {
      const carry = this.low >= TWO32 ? 1 : 0;
      let temp = this.cache;
      do {
        this.emit((temp + carry) & 0xff);
        temp = 0xff;
      } while (--this.cacheSize !== 0);
      this.cache = Math.floor(this.low / TOP) & 0xff;
    }
    this.cacheSize++;
    this.low = (this.low % TOP) * 256;
  }

  private emit(byte: number): void {
    if (this.first) {
      this.first = false; // LZMA's leading byte is always 0: the decoder knows it
      return;
    }
    this.out.push(byte);
  }
}
