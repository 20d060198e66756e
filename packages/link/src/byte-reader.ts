import { unzigzag } from './byte-writer.ts';

/** Thrown when a read runs past the end or a value is not canonical; callers turn it into a LinkError. */
export class ReadError extends Error {
  override readonly name = 'ReadError';
}

export class ByteReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get offset(): number {
    return this.pos;
  }

  u8(): number {
    const v = this.buf[this.pos];
    if (v === undefined) throw new ReadError('unexpected end of data');
    this.pos++;
    return v;
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new ReadError('unexpected end of data');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** LEB128, at most 8 bytes (56 bits); a trailing zero group is not canonical and refused. */
  varint(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw new ReadError('non-canonical varint');
        if (!Number.isSafeInteger(v)) throw new ReadError('varint too large');
        return v;
      }
      scale *= 0x80;
    }
    throw new ReadError('varint too long');
  }

  svarint(): number {
    return unzigzag(this.varint());
  }

  rest(): Uint8Array {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return out;
  }
}
