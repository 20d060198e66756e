/**
 * Packs a run of readings into a block's BLOB. Values are integer steps of the channel's
 * resolution (21.3 °C at 0.1 → 213). Sampled channels: one unsigned LEB128 varint token per
 * slot — 0 gap, 1 fault, 2 + count: the previous value repeated count times, 3 + zigzag(delta
 * from the previous value) otherwise — so a slowly changing series costs about a byte a reading.
 */

/** A stored slot: integer steps, null when no sample was taken, 'fault' for a sensor fault. */
export type StepSample = number | null | 'fault';

/** A shock event in integer form: Unix seconds, peak per axis in steps of 0.1 g. */
export interface ShockSteps {
  time: number;
  x: number;
  y: number;
  z: number;
}

export class BlockDecodeError extends Error {
  override readonly name = 'BlockDecodeError';
}

const GAP = 0;
const FAULT = 1;
const REPEAT = 2;
const DELTA = 3;

class Writer {
  private buf = Buffer.allocUnsafe(256);
  private n = 0;

  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('varint out of range');
    if (this.n + 8 > this.buf.length) {
      const next = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(next, 0, 0, this.n);
      this.buf = next;
    }
    let v = value;
    while (v >= 0x80) {
      this.buf[this.n++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.n++] = v;
  }

  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.n));
  }
}

class Reader {
  private i = 0;
  constructor(private readonly data: Uint8Array) {}

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.data[this.i++];
      if (b === undefined || scale > 2 ** 49) throw new BlockDecodeError('truncated or corrupt reading block');
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
  }

  get done(): boolean {
    return this.i >= this.data.length;
  }
}

const zigzag = (d: number): number => (d >= 0 ? 2 * d : -2 * d - 1);
const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

export function encodeSamples(values: readonly StepSample[]): Buffer {
  const w = new Writer();
  let prev = 0;
  for (let i = 0; i < values.length; ) {
    const v = values[i] as StepSample;
    if (v === null) {
      w.varint(GAP);
      i++;
    } else if (v === 'fault') {
      w.varint(FAULT);
      i++;
    } else {
      let run = 0;
      while (values[i + run] === prev) run++;
      if (run >= 2) {
        w.varint(REPEAT);
        w.varint(run);
        i += run;
      } else {
        w.varint(DELTA + zigzag(v - prev));
        prev = v;
        i++;
      }
    }
  }
  return w.finish();
}

export function decodeSamples(data: Uint8Array, count: number): StepSample[] {
  const r = new Reader(data);
  const out: StepSample[] = new Array<StepSample>(count);
  let prev = 0;
  let i = 0;
  while (i < count) {
    const t = r.varint();
    if (t === GAP) out[i++] = null;
    else if (t === FAULT) out[i++] = 'fault';
    else if (t === REPEAT) {
      const run = r.varint();
      if (run < 1 || i + run > count) throw new BlockDecodeError('corrupt repeat in reading block');
      for (let k = 0; k < run; k++) out[i++] = prev;
    } else {
      prev += unzigzag(t - DELTA);
      out[i++] = prev;
    }
  }
  if (!r.done) throw new BlockDecodeError('reading block longer than its count');
  return out;
}

export function encodeShocks(events: readonly ShockSteps[]): Buffer {
  const w = new Writer();
  let prevTime = 0;
  for (const e of events) {
    w.varint(zigzag(e.time - prevTime));
    prevTime = e.time;
    w.varint(zigzag(e.x));
    w.varint(zigzag(e.y));
    w.varint(zigzag(e.z));
  }
  return w.finish();
}

export function decodeShocks(data: Uint8Array, count: number): ShockSteps[] {
  const r = new Reader(data);
  const out: ShockSteps[] = [];
  let time = 0;
  for (let i = 0; i < count; i++) {
    time += unzigzag(r.varint());
    out.push({ time, x: unzigzag(r.varint()), y: unzigzag(r.varint()), z: unzigzag(r.varint()) });
  }
  if (!r.done) throw new BlockDecodeError('shock block longer than its count');
  return out;
}
