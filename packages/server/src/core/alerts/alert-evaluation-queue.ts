import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { LinkContent } from '@qrlog/link';
import type { Database } from '../../storage/database-schema.ts';
import type { AcceptedLink, IngestObserver } from '../ingest/ingest-contract.ts';
import type { AlertEvaluator } from './alert-evaluator.ts';

/**
 * Alert evaluation on every accepted scan, without the scan waiting for it. In the ingestion's
 * transaction: a durable marker "this logger's alerts need evaluating, over at least this time
 * span" (one upsert) and the link's triggered alarm summaries. After the commit: the logger is
 * queued for this process's worker, which evaluates loggers one at a time right away. Markers a
 * crash or a restart left behind are picked up by `sweep` (a scheduled job).
 */
export class AlertEvaluationQueue implements IngestObserver {
  private readonly dirty = new Set<string>();
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly evaluator: AlertEvaluator,
    private readonly onError: (serial: string, error: unknown) => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async inTransaction(trx: Kysely<Database>, link: AcceptedLink): Promise<void> {
    if (link.duplicateLink) return;
    const alarms = alarmRows(link);
    if (alarms.length > 0) await trx.insertInto('link_alarm_summaries').values(alarms).execute();
    if (link.newReadings === 0 && alarms.length === 0) return;
    const { from, to } = spanOf(link.content);
    await trx
      .insertInto('alert_evaluations_pending')
      .values({ serial: link.serial, token: randomBytes(9).toString('base64url'), from_t: from, to_t: to, marked_at: this.now().getTime() })
      .onConflict((oc) =>
        oc.column('serial').doUpdateSet((eb) => ({
          token: eb.ref('excluded.token'),
          from_t: eb.case().when('excluded.from_t', '<', eb.ref('alert_evaluations_pending.from_t')).then(eb.ref('excluded.from_t')).else(eb.ref('alert_evaluations_pending.from_t')).end(),
          to_t: eb.case().when('excluded.to_t', '>', eb.ref('alert_evaluations_pending.to_t')).then(eb.ref('excluded.to_t')).else(eb.ref('alert_evaluations_pending.to_t')).end(),
          marked_at: eb.ref('excluded.marked_at'),
        })),
      )
      .execute();
  }

  afterCommit(link: AcceptedLink): void {
    if (link.duplicateLink || this.closed) return;
    this.dirty.add(link.serial);
    this.pump();
  }

  /** Resolves once the worker has nothing left to do (tests, benchmarks, shutdown). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.dirty.clear();
    await this.idle();
  }

  /** Evaluates every logger marked before `olderThan` (leftovers after a restart); returns how many. */
  async sweep(olderThan: Date): Promise<number> {
    const rows = await this.db.selectFrom('alert_evaluations_pending').select('serial').where('marked_at', '<', olderThan.getTime()).orderBy('marked_at').execute();
    for (const { serial } of rows) await this.evaluatePending(serial);
    return rows.length;
  }

  /** Evaluates the logger over what its marker says, and removes the marker if no scan came meanwhile. */
  async evaluatePending(serial: string): Promise<void> {
    const marker = await this.db.selectFrom('alert_evaluations_pending').selectAll().where('serial', '=', serial).executeTakeFirst();
    if (marker === undefined) return;
    await this.evaluator.evaluate(serial, marker.from_t, marker.to_t, marker.token);
  }

  private pump(): void {
    if (this.running !== undefined) return;
    // The next turn of the event loop: after the scan's answer has been handed to its socket. On
    // SQLite (a synchronous driver) starting at once would run the evaluation inside the scan's time.
    this.running = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      for (const serial of this.dirty) {
        this.dirty.delete(serial);
        try {
          await this.evaluatePending(serial);
        } catch (e) {
          // The marker stays: the sweep tries again.
          this.onError(serial, e);
        }
      }
    }).finally(() => {
      this.running = undefined;
      if (this.dirty.size > 0 && !this.closed) this.pump();
    });
  }
}

/** The time span a link's readings cover, by the logger's clock (Unix s). */
function spanOf(c: LinkContent): { from: number; to: number } {
  let from = c.sessionStart + c.firstSeq * c.interval;
  for (const e of c.shock?.events ?? []) from = Math.min(from, e.time);
  return { from, to: Math.max(from, c.sealedAt) };
}

function alarmRows(link: AcceptedLink) {
  const c = link.content;
  return Object.entries(c.channels)
    .filter(([, data]) => data.summary.alarm.triggered)
    .map(([channel, data]) => ({
      serial: link.serial,
      chain_index: link.chainIndex,
      channel,
      session: c.session,
      sealed_at: c.sealedAt,
      active: data.summary.alarm.active ? 1 : 0,
      below_count: data.summary.belowCount,
      above_count: data.summary.aboveCount,
      interval: c.interval,
    }));
}
