import { sql, type Kysely } from 'kysely';
import type { LoggerKeyStore } from '../../keys/logger-key-store.ts';
import { appendOnlyGuard, DERIVED_TABLES } from '../../storage/append-only-guards.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import type { Database } from '../../storage/database-schema.ts';
import { integrityEventRepository } from '../../storage/integrity-event-repository.ts';
import { loggerRepository } from '../../storage/logger-repository.ts';
import { readingBlockRepository, type ReadingBlock } from '../../storage/reading-block-repository.ts';
import { sessionRepository, type LoggingSession } from '../../storage/session-repository.ts';
import { replayEvidence } from './evidence-replay.ts';

export interface RebuildReport {
  serial: string;
  links: number;
  blocks: number;
  /** The rebuilt readings equal the ones stored before, block for block. */
  identical: boolean;
  /** Conflicts the replay found, and whether they match the stored integrity events. */
  conflicts: number;
  conflictsMatchEvents: boolean;
}

/**
 * `qrlog readings rebuild`: derives every logger's readings again from its evidence, in chain
 * order, with the same merge the ingestion uses. Per logger, in one transaction that holds the
 * logger's lock: lift the derived tables' append-only guard (owner rights needed: on PostgreSQL
 * the service role may not drop triggers), delete, replay, restore the guard, commit. Integrity
 * events are never touched; the replay only checks it finds the same ones.
 */
export class ReadingsRebuilder {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly keys: LoggerKeyStore,
  ) {}

  async rebuild(serial?: string): Promise<RebuildReport[]> {
    const reports: RebuildReport[] = [];
    for (const s of await loggerRepository.listSerials(this.database.db, serial)) reports.push(await this.rebuildLogger(s));
    return reports;
  }

  private rebuildLogger(serial: string): Promise<RebuildReport> {
    const kind = this.database.kind;
    return this.database.writeTransaction(async (trx) => {
      await this.database.lockLogger(trx, serial);
      const before = await snapshot(trx, serial);
      for (const t of DERIVED_TABLES) for (const s of appendOnlyGuard(kind, t).drop) await sql.raw(s).execute(trx);
      await readingBlockRepository.deleteForLogger(trx, serial);
      await sessionRepository.deleteForLogger(trx, serial);
      const replay = await replayEvidence(trx, this.keys, serial, { into: trx, unopenable: 'throw' });
      const found = replay.events.map(eventKey);
      for (const t of DERIVED_TABLES) for (const s of appendOnlyGuard(kind, t).create) await sql.raw(s).execute(trx);
      const after = await snapshot(trx, serial);
      const stored = (await integrityEventRepository.listForLogger(trx, serial)).map(eventKey);
      return {
        serial,
        links: replay.links,
        blocks: after.blocks.length,
        identical: sameSnapshot(before, after),
        conflicts: found.length,
        conflictsMatchEvents: found.sort().join('\n') === stored.sort().join('\n'),
      };
    });
  }
}

interface Snapshot {
  blocks: ReadingBlock[];
  sessions: LoggingSession[];
}

async function snapshot(db: Kysely<Database>, serial: string): Promise<Snapshot> {
  return { blocks: await readingBlockRepository.all(db, serial), sessions: await sessionRepository.list(db, serial) };
}

function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  if (a.blocks.length !== b.blocks.length || JSON.stringify(a.sessions) !== JSON.stringify(b.sessions)) return false;
  return a.blocks.every((x, i) => {
    const y = b.blocks[i];
    return y !== undefined && x.channel === y.channel && x.session === y.session && x.firstSeq === y.firstSeq &&
      x.count === y.count && x.chainIndex === y.chainIndex && x.data.equals(y.data);
  });
}

function eventKey(e: { chain_index: number; kind: string; session: number; channel?: string | null; seq?: number | null; stored: string; received: string }): string {
  return JSON.stringify([e.chain_index, e.kind, e.session, e.channel ?? null, e.seq ?? null, e.stored, e.received]);
}
