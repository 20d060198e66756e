import type { Kysely } from 'kysely';
import { AppError } from '../../common/app-error.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import type { Database } from '../../storage/database-schema.ts';
import { missionRepository } from '../../storage/mission-repository.ts';
import { newMissionId } from './mission-ids.ts';
import type { LoggerPeriod } from './mission-model.ts';

/** Unix ms; `to` null: open-ended. */
export interface PeriodInput {
  serial: string;
  from: number;
  to: number | null;
}

/**
 * Adds a logger's period to a mission inside the caller's write transaction, refusing one that
 * overlaps any other period of the logger with a 409 that names the mission holding it. Writers
 * of one logger take turns (the logger's row lock on PostgreSQL; SQLite's one writer), so of two
 * concurrent attempts the second sees the first; the database's own refusal (exclusion
 * constraint, trigger) stands behind this check.
 */
export class PeriodWriter {
  constructor(private readonly database: DatabaseHandle) {}

  async add(trx: Kysely<Database>, missionId: string, input: PeriodInput): Promise<LoggerPeriod> {
    if (input.to !== null && input.to <= input.from) throw new AppError('invalid-request', `loggers: the period of ${input.serial} must end after it starts`);
    if (!(await this.database.lockLogger(trx, input.serial))) throw new AppError('not-found', `loggers: no logger ${input.serial}`);
    const clash = (await missionRepository.overlapping(trx, input.serial, input.from, input.to))[0];
    if (clash !== undefined) throw held(input.serial, clash, missionId);
    const row = { id: newMissionId('period'), mission_id: missionId, serial: input.serial, from_ms: input.from, to_ms: input.to };
    try {
      await missionRepository.insertPeriod(trx, row);
    } catch (e) {
      if (isOverlapRefusal(e)) throw new AppError('conflict', `logger ${input.serial} is in another mission for part of that time`, { reason: 'logger-busy', cause: e });
      throw e;
    }
    return { id: row.id, serial: row.serial, from: new Date(row.from_ms), to: row.to_ms === null ? null : new Date(row.to_ms) };
  }
}

function held(serial: string, clash: { mission_id: string; name: string; from_ms: number; to_ms: number | null }, missionId: string): AppError {
  const until = clash.to_ms === null ? 'with no end' : `until ${new Date(clash.to_ms).toISOString()}`;
  const which = clash.mission_id === missionId ? 'this mission already' : `mission "${clash.name}" (${clash.mission_id})`;
  return new AppError('conflict', `logger ${serial} is held by ${which} from ${new Date(clash.from_ms).toISOString()} ${until}: a logger serves one mission at a time`, {
    reason: 'logger-busy',
  });
}

/** The database's refusal: PostgreSQL's exclusion violation (or the fallback trigger's), SQLite's trigger. */
function isOverlapRefusal(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  if (err?.code === '23P01') return true;
  return typeof err?.message === 'string' && err.message.includes('overlapping periods of one logger');
}
