import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { scanRepository } from '../../storage/scan-repository.ts';
import type { AttachLocationResult, ScanLocation, ScanRecords, ScanSummary } from './ingest-contract.ts';

export const DEFAULT_LOCATION_WINDOW_MS = 10 * 60_000;

/** Scan records as the scan page sees them, and the one-time location the page may send. */
export class ScanRecordService implements ScanRecords {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
    private readonly locationWindowMs = DEFAULT_LOCATION_WINDOW_MS,
  ) {}

  async attachLocation(scanId: string, location: ScanLocation): Promise<AttachLocationResult> {
    if (!validLocation(location)) return 'invalid-location';
    const scan = await scanRepository.find(this.db, scanId);
    if (!scan) return 'not-found';
    if (scan.located_at !== null) return 'already-located';
    const now = this.now().getTime();
    if (now - scan.received_at > this.locationWindowMs) return 'too-late';
    const set = await scanRepository.setLocation(this.db, scanId, location, now);
    return set ? 'attached' : 'already-located';
  }

  async get(scanId: string): Promise<ScanSummary | undefined> {
    const s = await scanRepository.find(this.db, scanId);
    if (!s) return undefined;
    return {
      scanId: s.id,
      serial: s.serial,
      receivedAt: new Date(s.received_at),
      via: s.via === 'api' ? 'api' : 'scan',
      newReadings: s.new_readings,
      knownReadings: s.known_readings,
      conflicts: s.conflicts,
      duplicateLink: s.duplicate_link === 1,
      locationAttached: s.located_at !== null,
    };
  }
}

function validLocation(l: ScanLocation): boolean {
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  return (
    finite(l.latitude) && Math.abs(l.latitude) <= 90 &&
    finite(l.longitude) && Math.abs(l.longitude) <= 180 &&
    (l.accuracy === null || (finite(l.accuracy) && l.accuracy >= 0))
  );
}
