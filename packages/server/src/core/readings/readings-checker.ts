import type { Kysely } from 'kysely';
import type { LoggerKeyStore } from '../../keys/logger-key-store.ts';
import type { Database } from '../../storage/database-schema.ts';
import { loggerRepository } from '../../storage/logger-repository.ts';
import { readingBlockRepository, type ReadingBlock } from '../../storage/reading-block-repository.ts';
import { openScratchDatabase } from '../../storage/scratch-database.ts';
import { sessionRepository, type LoggingSession } from '../../storage/session-repository.ts';
import { replayEvidence } from './evidence-replay.ts';

export interface ReadingsCheck {
  serial: string;
  /** The stored blocks and sessions are exactly what the evidence gives. */
  ok: boolean;
  /** What differs, the first few (`more` counts the rest). */
  differences: string[];
  more: number;
}

const SHOWN = 20;

/**
 * The read-only half of `readings rebuild`, for `qrlog verify`: replays each logger's evidence,
 * in chain order and with the ingestion's merge, into a private in-memory database, and
 * compares the result with the stored reading blocks and sessions. Needs no owner rights and
 * changes nothing; links that do not open are left to EvidenceVerifier to report.
 */
export class ReadingsChecker {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keys: LoggerKeyStore,
  ) {}

  async check(serial?: string): Promise<ReadingsCheck[]> {
    const scratch = await openScratchDatabase();
    try {
      const out: ReadingsCheck[] = [];
      for (const s of await loggerRepository.listSerials(this.db, serial)) out.push(await this.checkLogger(scratch.db, s));
      return out;
    } finally {
      await scratch.close();
    }
  }

  private async checkLogger(scratch: Kysely<Database>, serial: string): Promise<ReadingsCheck> {
    await replayEvidence(this.db, this.keys, serial, { into: scratch, unopenable: 'skip' });
    const differences = [
      ...compareSessions(await sessionRepository.list(scratch, serial), await sessionRepository.list(this.db, serial)),
      ...compareBlocks(await readingBlockRepository.all(scratch, serial), await readingBlockRepository.all(this.db, serial)),
    ];
    await readingBlockRepository.deleteForLogger(scratch, serial);
    await sessionRepository.deleteForLogger(scratch, serial);
    return { serial, ok: differences.length === 0, differences: differences.slice(0, SHOWN), more: Math.max(0, differences.length - SHOWN) };
  }
}

function compareSessions(derived: LoggingSession[], stored: LoggingSession[]): string[] {
  const out: string[] = [];
  const key = (s: LoggingSession) => JSON.stringify(s);
  const storedBySession = new Map(stored.map((s) => [s.session, s]));
  for (const d of derived) {
    const s = storedBySession.get(d.session);
    if (s === undefined) out.push(`session ${String(d.session)} is missing from the stored sessions`);
    else if (key(s) !== key(d)) out.push(`session ${String(d.session)} differs from what the evidence gives`);
    storedBySession.delete(d.session);
  }
  for (const s of storedBySession.values()) out.push(`session ${String(s.session)} is stored but no evidence gives it`);
  return out;
}

/** Blocks by (channel, session, first seq): missing, extra, or different in data, extent or source link. */
function compareBlocks(derived: ReadingBlock[], stored: ReadingBlock[]): string[] {
  const out: string[] = [];
  const at = (b: ReadingBlock) => `channel ${String(b.channel)} session ${String(b.session)} seq ${String(b.firstSeq)}`;
  const storedByKey = new Map(stored.map((b) => [at(b), b]));
  for (const d of derived) {
    const s = storedByKey.get(at(d));
    storedByKey.delete(at(d));
    if (s === undefined) out.push(`block ${at(d)} (${String(d.count)} slots, from link ${String(d.chainIndex)}) is missing from the stored readings`);
    else if (s.count !== d.count || s.chainIndex !== d.chainIndex || !s.data.equals(d.data)) {
      const what = [s.count !== d.count ? 'its extent' : '', s.chainIndex !== d.chainIndex ? 'its source link' : '', s.data.equals(d.data) ? '' : 'its values'].filter((w) => w !== '');
      out.push(`block ${at(d)}: ${what.join(', ')} differ(s) from what link ${String(d.chainIndex)} gives`);
    }
  }
  for (const s of storedByKey.values()) out.push(`block ${at(s)} (${String(s.count)} slots) is stored but no evidence gives it`);
  return out;
}
