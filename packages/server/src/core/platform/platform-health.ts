import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { platformHealthRepository, type ScanResult } from '../../storage/platform-health-repository.ts';

const HOUR_MS = 3_600_000;
/** The hours the health covers: the last day, the current hour included. */
export const HEALTH_HOURS = 24;

export interface HealthHour {
  start: Date;
  scans: Record<ScanResult, number>;
  refused: number;
}

/** The platform's ingestion and refusals for operators: counts only, nothing of any customer's readings. */
export interface PlatformHealthReport {
  since: Date;
  /** Oldest first, every hour present (zeros included), so a chart needs no gap logic. */
  hours: HealthHour[];
  totals: { scans: Record<ScanResult, number>; refused: number };
  /** Refusals in the period per reason, most first. */
  refusalsByReason: { reason: string; count: number }[];
}

/** Computes the operators' platform health from the stored scans and the security log. */
export class PlatformHealth {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async report(): Promise<PlatformHealthReport> {
    const firstHourMs = (Math.floor(this.nowMs() / HOUR_MS) - (HEALTH_HOURS - 1)) * HOUR_MS;
    const [scans, refusals] = await Promise.all([platformHealthRepository.scansPerHour(this.db, firstHourMs), platformHealthRepository.refusalsPerHour(this.db, firstHourMs)]);
    const hours: HealthHour[] = Array.from({ length: HEALTH_HOURS }, (_, i) => ({ start: new Date(firstHourMs + i * HOUR_MS), scans: { new: 0, known: 0, duplicate: 0 }, refused: 0 }));
    const at = (hourMs: number) => hours[Math.round((hourMs - firstHourMs) / HOUR_MS)];
    const totals: PlatformHealthReport['totals'] = { scans: { new: 0, known: 0, duplicate: 0 }, refused: 0 };
    for (const s of scans) {
      const hour = at(s.hourMs);
      if (hour !== undefined) hour.scans[s.kind] += s.count;
      totals.scans[s.kind] += s.count;
    }
    const byReason = new Map<string, number>();
    for (const r of refusals) {
      const hour = at(r.hourMs);
      if (hour !== undefined) hour.refused += r.count;
      totals.refused += r.count;
      byReason.set(r.kind, (byReason.get(r.kind) ?? 0) + r.count);
    }
    const refusalsByReason = [...byReason].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
    return { since: new Date(firstHourMs), hours, totals, refusalsByReason };
  }
}
