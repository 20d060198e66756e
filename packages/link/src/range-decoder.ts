import { type BitModel, PROB_BITS, updateBitModel } from './bit-model.ts';

const TOP = 2 ** 24;

/**
 * Mirror of RangeEncoder. Bytes past the end read as zero (the encoder trims trailing zeros), so
 * the decoder cannot tell where the stream ends: the sample count in the body bounds the work.
 */
export class RangeDecoder {
  private range = 0xffffffff;
  private code = 0;
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {
    for (let i = 0; i < 4; i++) this.code = ((this.code << 8) | this.next()) >>> 0;
  }

  decodeBit(m: BitModel): number {
    const bound = (this.range >>> PROB_BITS) * m.p;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      bit = 0;
    } else {
      this.code -= bound;
      this.range -= bound;
      bit = 1;
    }
    updateBitModel(m, bit);
    this.normalize();
    return bit;
  }

  decodeDirect(count: number): number {
    let v = 0;
    for (let i = 0; i < count; i++) {
      this.range = this.range >>> 1;
      let bit = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        bit = 1;
      }
      v = v * 2 + bit;
      this.normalize();
    }
    return v;
  }

  private normalize(): void {
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.code = ((this.code * 256) % 2 ** 32) + this.next();
    }
  }

  private next(): number {
    const b = this.buf[this.pos] ?? 0;
    this.pos++;
    return b;
  }
}
