import type { Kysely } from 'kysely';
import { addressKey } from '../../common/address-key.ts';
import { AppError } from '../../common/app-error.ts';
import { RateLimiter } from '../../common/rate-limiter.ts';
import type { Database } from '../../storage/database-schema.ts';
import { sourceBlockRepository, type SourceBlockRow } from '../../storage/source-block-repository.ts';
import type { AuditActor, AuditLog } from '../audit/audit-log.ts';
import type { AttackEpisodes } from './attack-episodes.ts';

/** How forged links turn into a block, and how long one lasts. */
export interface SourceBlockSettings {
  /** Forged links from one source within `windowMs` that start a block; 0 turns blocking off. */
  threshold: number;
  windowMs: number;
  /** A first block's length; each repeat within `repeatWindowMs` doubles it, up to `maxMs`. */
  baseMs: number;
  maxMs: number;
  repeatWindowMs: number;
  /** How often an instance re-reads the blocks (made or released by another instance) and saves its counts. */
  refreshMs: number;
}

export const DEFAULT_SOURCE_BLOCKS: SourceBlockSettings = {
  threshold: 30,
  windowMs: 60_000,
  baseMs: 15 * 60_000,
  maxMs: 24 * 60 * 60_000,
  repeatWindowMs: 24 * 60 * 60_000,
  refreshMs: 5_000,
};

/** The routes a block closes: the link route and the batch API. */
const SCOPE = 'scan';
const REASON = 'forged-links';

export const DEFENSE_AUDIT = {
  sourceBlocked: 'defense.source-blocked',
  blockReleased: 'defense.block-released',
  signInBackoffReleased: 'defense.sign-in-backoff-released',
} as const;

export interface SourceBlock {
  id: number;
  source: string;
  scope: string;
  reason: string;
  createdAt: Date;
  blockedUntil: Date;
  /** 0 for a first block, n for the n-th repeat within a day. */
  level: number;
  refusals: number;
  /** Requests refused while it held, as saved by the instances so far (a few seconds behind). */
  blockedRequests: number;
  active: boolean;
  released: { at: Date; by: string | null; comment: string } | null;
}

interface Held {
  id: number;
  untilMs: number;
  /** Requests refused here and not yet added to the row. */
  unsaved: number;
}

/**
 * Blocks scan sources that flood forged links (issue 11). Every link refused as forged (it did
 * not open, or names no logger or key we know) counts against its source (IPv4 address, IPv6
 * /64: the rate limiter's key) in a leaky bucket of `threshold` links per `windowMs`, the one
 * rate limiter used as a detector; a source that overflows it is blocked from the scan routes
 * for `baseMs`, twice as long for each earlier block within a day, at most `maxMs`.
 *
 * The check on every scan request is a lookup in memory (`blockedUntil`), before any work;
 * blocks are rows (migration 0025), so they hold after a restart and on every instance: each
 * re-reads them every `refreshMs` (and then saves how many requests it refused), so a block made
 * or released elsewhere takes effect here within seconds. Blocks and releases are audited; the
 * first block of an attack tells the operators (AttackEpisodes).
 */
export class SourceBlockService {
  private readonly held = new Map<string, Held>();
  private readonly detector: RateLimiter;
  private readonly making = new Map<string, Promise<void>>();
  private readonly listeners: ((block: SourceBlock) => void)[] = [];
  private lastRefreshMs = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditLog,
    private readonly episodes: AttackEpisodes,
    readonly settings: SourceBlockSettings = DEFAULT_SOURCE_BLOCKS,
    private readonly nowMs: () => number = Date.now,
    private readonly onError: (what: string, error: unknown) => void = () => undefined,
  ) {
    const perMinute = settings.threshold === 0 ? 0 : (settings.threshold * 60_000) / settings.windowMs;
    this.detector = new RateLimiter({ perMinute, burst: settings.threshold }, nowMs);
  }

  /** Reads the blocks in force (at start: a source blocked before a restart stays blocked). */
  async load(): Promise<void> {
    await this.refresh();
  }

  /**
   * When the scan routes are closed to `sourceAddress`, until when (Unix ms); null when open.
   * In memory only: this runs before anything else a scan request does.
   */
  blockedUntil(sourceAddress: string): number | null {
    const now = this.nowMs();
    if (now - this.lastRefreshMs >= this.settings.refreshMs) this.refreshSoon();
    if (this.held.size === 0) return null;
    const held = this.held.get(addressKey(sourceAddress));
    if (held === undefined || held.untilMs <= now) return null;
    held.unsaved += 1;
    this.episodes.touch('scan-flood');
    return held.untilMs;
  }

  /** A link from `sourceAddress` was refused as forged: counts, and blocks the source past the threshold. */
  async noteForgedLink(sourceAddress: string): Promise<void> {
    if (this.settings.threshold === 0) return;
    const source = addressKey(sourceAddress);
    const held = this.held.get(source);
    if (held !== undefined && held.untilMs > this.nowMs()) return;
    if (this.detector.take(source)) return;
    let making = this.making.get(source);
    if (making === undefined) {
      // A failure to block costs the defence this once, never the scan that tripped it.
      making = this.block(source)
        .catch((e: unknown) => { this.onError('blocking a source', e); })
        .finally(() => this.making.delete(source));
      this.making.set(source, making);
    }
    await making;
  }

  /** Called with every block this instance makes (metrics). */
  onBlock(listener: (block: SourceBlock) => void): void {
    this.listeners.push(listener);
  }

  /** Blocks in force now, as this instance holds them (metrics). */
  activeCount(): number {
    const now = this.nowMs();
    let n = 0;
    for (const h of this.held.values()) if (h.untilMs > now) n += 1;
    return n;
  }

  async active(): Promise<SourceBlock[]> {
    await this.saveCounts();
    return (await sourceBlockRepository.active(this.db, this.nowMs(), SCOPE)).map((r) => this.view(r));
  }

  /** Blocks made in the last `sinceMs`, in force or not, newest first. */
  async recent(sinceMs: number, limit: number): Promise<SourceBlock[]> {
    await this.saveCounts();
    return (await sourceBlockRepository.recent(this.db, this.nowMs() - sinceMs, limit)).map((r) => this.view(r));
  }

  /** Ends a block by hand, with the operator's comment (audited). Not found: unknown id; conflict: over already. */
  async release(id: number, actor: AuditActor, comment: string, sourceAddress: string | null): Promise<SourceBlock> {
    const now = this.nowMs();
    const row = await sourceBlockRepository.find(this.db, id);
    if (row === undefined) throw new AppError('not-found', 'no such block');
    if (row.released_at !== null || row.blocked_until <= now) throw new AppError('conflict', 'the block is over already', { reason: 'block-over' });
    await this.db.transaction().execute(async (trx) => {
      if (!(await sourceBlockRepository.release(trx, id, now, 'id' in actor ? actor.id : null, comment))) throw new AppError('conflict', 'the block is over already', { reason: 'block-over' });
      await this.audit.record(
        { actor, action: DEFENSE_AUDIT.blockReleased, orgId: null, target: { kind: 'source', id: row.source }, sourceAddress, detail: { blockId: id, comment, blockedUntil: new Date(row.blocked_until).toISOString() } },
        trx,
      );
    });
    const held = this.held.get(row.source);
    if (held?.id === id) {
      this.held.delete(row.source);
      if (held.unsaved > 0) await sourceBlockRepository.addBlockedRequests(this.db, id, held.unsaved).catch((e: unknown) => { this.onError('saving blocked requests', e); });
    }
    const released = await sourceBlockRepository.find(this.db, id);
    return this.view(released ?? row);
  }

  /** Saves what is counted in memory. */
  async close(): Promise<void> {
    await this.refreshing;
    await this.saveCounts().catch(() => undefined);
  }

  private async block(source: string): Promise<void> {
    const now = this.nowMs();
    const existing = await sourceBlockRepository.activeFor(this.db, source, now, SCOPE);
    if (existing !== undefined) {
      // Another instance blocked it a moment ago.
      this.hold(existing);
      return;
    }
    const s = this.settings;
    const level = await sourceBlockRepository.countSince(this.db, source, now - s.repeatWindowMs, SCOPE);
    const lengthMs = Math.min(s.maxMs, s.baseMs * 2 ** Math.min(level, 30));
    const row = await this.db.transaction().execute(async (trx) => {
      const made = await sourceBlockRepository.insert(trx, { source, scope: SCOPE, reason: REASON, created_at: now, blocked_until: now + lengthMs, level, refusals: s.threshold });
      await this.audit.record(
        {
          actor: { kind: 'system' },
          action: DEFENSE_AUDIT.sourceBlocked,
          orgId: null,
          target: { kind: 'source', id: source },
          sourceAddress: source,
          detail: { blockId: made.id, reason: REASON, blockedUntil: new Date(made.blocked_until).toISOString(), level, forgedLinks: s.threshold, windowSeconds: Math.round(s.windowMs / 1000) },
          at: new Date(now),
        },
        trx,
      );
      return made;
    });
    this.hold(row);
    const block = this.view(row);
    for (const l of this.listeners) l(block);
    const minutes = Math.round(lengthMs / 60_000);
    await this.episodes.attack('scan-flood', {
      subject: `qrlog: attack in progress, scan source ${source} blocked`,
      text: [
        `The source ${source} sent ${String(s.threshold)} or more forged links within ${String(Math.round(s.windowMs / 1000))} seconds and is blocked from the scan routes for ${String(minutes)} minutes (until ${block.blockedUntil.toISOString()}${level > 0 ? `; its block number ${String(level + 1)} within a day` : ''}).`,
        'Genuine scans from other sources are not affected. Further sources blocked during this attack are not mailed again; the operator view lists them all:',
        'GET /api/v1/source-blocks and GET /api/v1/attack-summary (operators). A block can be released by hand: POST /api/v1/source-blocks/{blockId}/release.',
      ].join('\n'),
    });
  }

  private hold(row: SourceBlockRow): void {
    const held = this.held.get(row.source);
    if (held?.id === row.id) held.untilMs = row.blocked_until;
    else this.held.set(row.source, { id: row.id, untilMs: row.blocked_until, unsaved: held?.unsaved ?? 0 });
  }

  private refreshSoon(): void {
    if (this.refreshing !== undefined) return;
    this.lastRefreshMs = this.nowMs();
    this.refreshing = this.refresh()
      .catch((e: unknown) => { this.onError('reading source blocks', e); })
      .finally(() => { this.refreshing = undefined; });
  }

  private async refresh(): Promise<void> {
    this.lastRefreshMs = this.nowMs();
    await this.saveCounts();
    const rows = await sourceBlockRepository.active(this.db, this.nowMs(), SCOPE);
    const inForce = new Set<string>();
    for (const r of rows) {
      // Newest first: the newest block of a source wins.
      if (inForce.has(r.source)) continue;
      inForce.add(r.source);
      this.hold(r);
    }
    // Released or over (here or elsewhere): unsaved counts were saved above.
    for (const [source, h] of this.held) if (!inForce.has(source) && h.unsaved === 0) this.held.delete(source);
  }

  private async saveCounts(): Promise<void> {
    for (const h of this.held.values()) {
      if (h.unsaved === 0) continue;
      const n = h.unsaved;
      h.unsaved = 0;
      try {
        await sourceBlockRepository.addBlockedRequests(this.db, h.id, n);
      } catch (e) {
        h.unsaved += n;
        throw e;
      }
    }
  }

  private view(r: SourceBlockRow): SourceBlock {
    const held = this.held.get(r.source);
    const unsaved = held?.id === r.id ? held.unsaved : 0;
    return {
      id: r.id,
      source: r.source,
      scope: r.scope,
      reason: r.reason,
      createdAt: new Date(r.created_at),
      blockedUntil: new Date(r.blocked_until),
      level: r.level,
      refusals: r.refusals,
      blockedRequests: r.blocked_requests + unsaved,
      active: r.released_at === null && r.blocked_until > this.nowMs(),
      released: r.released_at === null ? null : { at: new Date(r.released_at), by: r.released_by, comment: r.release_comment ?? '' },
    };
  }
}
