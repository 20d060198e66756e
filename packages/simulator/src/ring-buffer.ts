/** Fixed-capacity FIFO like a logger's flash ring: pushing into a full buffer drops the oldest item. */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #head = 0;
  #length = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new Error('ring buffer capacity must be a positive integer');
    this.#items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Adds `item`; returns true when that dropped the oldest one. */
  push(item: T): boolean {
    const tail = (this.#head + this.#length) % this.capacity;
    this.#items[tail] = item;
    if (this.#length < this.capacity) {
      this.#length++;
      return false;
    }
    this.#head = (this.#head + 1) % this.capacity;
    return true;
  }

  /** Item `i` counted from the oldest (0) to the newest (length − 1). */
  at(i: number): T {
    if (!Number.isInteger(i) || i < 0 || i >= this.#length) throw new RangeError(`ring buffer index ${i} out of 0…${this.#length - 1}`);
    return this.#items[(this.#head + i) % this.capacity] as T;
  }

  /** The newest `count` items (all when count ≥ length), oldest first. */
  newest(count: number): T[] {
    const n = Math.min(this.#length, Math.max(0, count));
    const out: T[] = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.at(this.#length - n + i);
    return out;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#length; i++) yield this.#items[(this.#head + i) % this.capacity] as T;
  }

  toArray(): T[] {
    return this.newest(this.#length);
  }

  clear(): void {
    this.#head = 0;
    this.#length = 0;
    this.#items.fill(undefined);
  }
}
