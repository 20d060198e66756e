import type { Kysely } from 'kysely';
import { addressKey } from '../../common/address-key.ts';
import type { Database } from '../../storage/database-schema.ts';
import { OVERFLOW_SOURCE, securityEventRepository, type SecurityEventInsert } from '../../storage/security-event-repository.ts';
import type { SecurityEvent, SecurityEventLog } from '../ingest/ingest-contract.ts';

/** Bounds on what a client controls, so a refusal cannot be used to fill the disk. */
const MAX_ADDRESS = 100;
const MAX_USER_AGENT = 512;
/** The security log keeps less of a user agent than a scan does: it is a hint, not a record. */
const LOG_USER_AGENT = 128;
const MAX_SERIAL = 12;
/** Distinct serials kept per row: the serial of a forged link is the attacker's choice. */
const SERIAL_SAMPLE = 8;

export function clip(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max);
}

export interface SecurityLogOptions {
  /** Length of a time bucket; default one minute. */
  bucketMs?: number;
  /** Rows (other than the overflow row) written per bucket, across every source; default 100. */
  rowsPerBucket?: number;
  /** How often counts gathered in memory are added to their rows; default one second. */
  flushMs?: number;
}

interface Pending {
  row: SecurityEventInsert;
  sample: Set<string>;
  /** Refusals not yet added to the row. */
  unsaved: number;
}

interface BucketState {
  /** Rows of the bucket in the database, as far as this process knows. */
  rows: Promise<number>;
  reserved: number;
}

/**
 * The security log, aggregated (issue 8, item 2): one row per (time bucket, source, reason), a
 * count, and a bounded sample of the serials claimed. The first refusal of a kind in a bucket
 * makes its row at once (so one refusal is visible when its request is answered); later ones
 * are counted in memory and added every `flushMs`, so a flood costs one write per row per
 * flush, not one per request. Past `rowsPerBucket` rows in a bucket (all sources together),
 * refusals only add to the bucket's overflow row. Sizes are bounded: a source is its address
 * prefix (IPv4 address, IPv6 /64), a user agent keeps 128 characters, a sample 8 serials.
 */
export class SecurityEventService implements SecurityEventLog {
  private readonly bucketMs: number;
  private readonly rowsPerBucket: number;
  private readonly pending = new Map<string, Pending>();
  private readonly buckets = new Map<number, BucketState>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    options: SecurityLogOptions = {},
  ) {
    this.bucketMs = options.bucketMs ?? 60_000;
    this.rowsPerBucket = options.rowsPerBucket ?? 100;
    this.timer = setInterval(() => void this.flush().catch(() => undefined), options.flushMs ?? 1_000);
    this.timer.unref();
  }

  async record(e: SecurityEvent): Promise<void> {
    const at = e.at.getTime();
    const bucketStart = at - (at % this.bucketMs);
    const source = clip(addressKey(e.sourceAddress), MAX_ADDRESS);
    const serial = e.serial === null ? null : clip(e.serial, MAX_SERIAL);
    const key = `${String(bucketStart)} ${source} ${e.reason}`;
    // A row of this kind, or the bucket's overflow row once the bucket is full: count into it.
    const known = this.pending.get(key) ?? this.pending.get(overflowKey(bucketStart));
    if (known !== undefined) {
      // A serial new to the sample is written at once (at most 8 times a row), so whoever owns
      // that logger sees the row as soon as the refusal is answered.
      if (this.count(known, at, serial)) await this.save(known);
      return;
    }
    const bucket = this.bucket(bucketStart);
    const room = (await bucket.rows) + bucket.reserved < this.rowsPerBucket;
    // Awaiting may have let a twin of this refusal make the entry: count into it instead.
    const twin = this.pending.get(room ? key : overflowKey(bucketStart));
    if (twin !== undefined) {
      if (this.count(twin, at, serial)) await this.save(twin);
      return;
    }
    if (room) bucket.reserved += 1;
    const entry: Pending = {
      row: {
        bucket_start: bucketStart,
        occurred_at: at,
        last_at: at,
        reason: room ? e.reason : 'overflow',
        source_address: room ? source : OVERFLOW_SOURCE,
        count: 1,
        serial: room ? serial : null,
        serial_sample: null,
        via: room ? (e.via ?? null) : null,
        user_agent: room && e.userAgent != null ? clip(e.userAgent, LOG_USER_AGENT) : null,
      },
      sample: new Set(room && serial !== null ? [serial] : []),
      unsaved: 0,
    };
    this.pending.set(room ? key : overflowKey(bucketStart), entry);
    await securityEventRepository.add(this.db, { ...entry.row, serial_sample: sampleJson(entry.sample) });
  }

  /** Adds the counts gathered in memory to their rows, and forgets buckets that are over. */
  flush(): Promise<void> {
    this.flushing = this.flushing.catch(() => undefined).then(() => this.flushOnce());
    return this.flushing;
  }

  /** Stops the timer and saves what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async flushOnce(): Promise<void> {
    const current = Date.now() - (Date.now() % this.bucketMs);
    for (const [key, p] of this.pending) {
      await this.save(p);
      if (p.row.bucket_start < current - this.bucketMs && p.unsaved === 0) this.pending.delete(key);
    }
    for (const start of this.buckets.keys()) if (start < current - this.bucketMs) this.buckets.delete(start);
  }

  /** Counts one more refusal into `p`; true when it added a serial to the sample. */
  private count(p: Pending, at: number, serial: string | null): boolean {
    p.unsaved += 1;
    if (at > p.row.last_at) p.row.last_at = at;
    if (serial === null || p.row.source_address === OVERFLOW_SOURCE || p.sample.size >= SERIAL_SAMPLE || p.sample.has(serial)) return false;
    p.sample.add(serial);
    return true;
  }

  /** Adds what `p` counted since it was last saved to its row. */
  private async save(p: Pending): Promise<void> {
    if (p.unsaved === 0) return;
    const count = p.unsaved;
    p.unsaved = 0;
    try {
      await securityEventRepository.add(this.db, { ...p.row, count, serial_sample: sampleJson(p.sample) });
    } catch (err) {
      p.unsaved += count;
      throw err;
    }
  }

  private bucket(bucketStart: number): BucketState {
    let b = this.buckets.get(bucketStart);
    if (b === undefined) {
      b = { rows: securityEventRepository.rowsInBucket(this.db, bucketStart), reserved: 0 };
      this.buckets.set(bucketStart, b);
    }
    return b;
  }
}

function overflowKey(bucketStart: number): string {
  return `${String(bucketStart)} ${OVERFLOW_SOURCE} overflow`;
}

function sampleJson(sample: Set<string>): string | null {
  return sample.size === 0 ? null : JSON.stringify([...sample]);
}

export const LIMITS = { MAX_ADDRESS, MAX_USER_AGENT };
