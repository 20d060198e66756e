import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { decodeSamples } from '../../storage/reading-block-codec.ts';
import { loggerActivityRepository } from '../../storage/logger-activity-repository.ts';
import { readingBlockRepository } from '../../storage/reading-block-repository.ts';
import { scanRepository } from '../../storage/scan-repository.ts';
import { channelByCode } from '../readings/stored-channels.ts';
import { receiptToken, type ScanReceipts } from '../evidence/scan-receipt.ts';
import type { AttachLocationResult, ChannelCount, ScanAlarm, ScanLocation, ScanRecords, ScanSummary } from './ingest-contract.ts';

export const DEFAULT_LOCATION_WINDOW_MS = 10 * 60_000;

/** Scan records as the scan page sees them, and the one-time location the page may send. */
export class ScanRecordService implements ScanRecords {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
    private readonly locationWindowMs = DEFAULT_LOCATION_WINDOW_MS,
    private readonly receipts: ScanReceipts | null = null,
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
    const receipt = this.receipts === null ? null : await this.receipts.issue(s.serial, s.chain_index);
    return {
      scanId: s.id,
      serial: s.serial,
      receivedAt: new Date(s.received_at),
      via: s.via === 'api' ? 'api' : 'scan',
      newReadings: s.new_readings,
      newByChannel: s.new_readings === 0 ? [] : await this.newByChannel(s.serial, s.chain_index),
      knownReadings: s.known_readings,
      conflicts: s.conflicts,
      duplicateLink: s.duplicate_link === 1,
      locationAttached: s.located_at !== null,
      chainIndex: s.chain_index,
      // The link's own alarm summary; "since" is when the session's first link reported it (the alarm began before).
      alarms: (await loggerActivityRepository.linkAlarms(this.db, s.serial, s.chain_index)).map(
        (a): ScanAlarm => ({ channel: a.channel, active: a.active === 1, reportedSince: a.since ?? a.sealed_at, outsideSeconds: (a.below_count + a.above_count) * a.interval }),
      ),
      ...(receipt === null ? {} : { receipt: { token: receiptToken(receipt), keyId: receipt.keyId, receivedAt: new Date(receipt.receivedAt) } }),
    };
  }

  /**
   * Counted again from the blocks the scan's link added (a link adds only slots not stored
   * before), so that the scan record keeps one total and still the page can say "144 readings ×
   * 2 channels". Gaps are slots, not readings, as in the total.
   */
  private async newByChannel(serial: string, chainIndex: number): Promise<ChannelCount[]> {
    const counts = new Map<string, number>();
    for (const b of await readingBlockRepository.addedBy(this.db, serial, chainIndex)) {
      const channel = channelByCode(b.channel);
      const readings = channel.kind === 'sampled' ? decodeSamples(b.data, b.count).filter((v) => v !== null).length : b.count;
      counts.set(channel.name, (counts.get(channel.name) ?? 0) + readings);
    }
    return [...counts].map(([channel, count]) => ({ channel, count }));
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
