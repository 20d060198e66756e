import type { Kysely } from 'kysely';
import type { Counter } from 'prom-client';
import type { MetricsRegistry } from '../../common/metrics-registry.ts';
import type { Database } from '../../storage/database-schema.ts';
import { anomalyRepository, type AnomalySighting } from '../../storage/anomaly-repository.ts';
import type { AcceptedLink } from '../ingest/accepted-link.ts';
import type { MissionCoverageSource } from '../missions/mission-coverage.ts';
import { linkAnomalies, type LinkAnomalyOptions } from './link-anomalies.ts';

export interface AnomalyDetectorOptions extends LinkAnomalyOptions {
  /** Missions (helper A's port): a reset inside a logger's mission period is not reported. Absent: every reset is. */
  missions?: MissionCoverageSource | undefined;
  metrics?: MetricsRegistry | undefined;
}

/**
 * Data anomalies, detected after a link's commit (ingestion's `afterCommit`): what the link shows
 * on its own (link-anomalies.ts), plus what needs the logger's history: a new session after an
 * earlier one (a reset) outside any mission, and a key version lower than one already seen.
 * Each is one row per distinct anomaly (deduplicated by key), its count and last sighting
 * growing as overlapping links repeat it. The very same link received again adds nothing.
 */
export class AnomalyDetector {
  private readonly raised: Counter<'kind'> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: AnomalyDetectorOptions = {},
  ) {
    this.raised = options.metrics?.counter({
      name: 'qrlog_data_anomalies_total',
      help: 'Data anomalies sighted in accepted links (new or seen again), by kind',
      labelNames: ['kind'],
    });
  }

  /** Detects and records; resolves to what was sighted. */
  async inspect(link: AcceptedLink): Promise<AnomalySighting[]> {
    if (link.duplicateLink) return [];
    const sightings = linkAnomalies(link, this.options);
    const reset = await this.reset(link);
    if (reset !== undefined) sightings.push(reset);
    const backwards = await this.keyVersionBackwards(link);
    if (backwards !== undefined) sightings.push(backwards);
    for (const s of sightings) {
      await anomalyRepository.record(this.db, s);
      this.raised?.inc({ kind: s.kind });
    }
    return sightings;
  }

  private async reset(link: AcceptedLink): Promise<AnomalySighting | undefined> {
    const { content, serial } = link;
    const previous = await anomalyRepository.previousSession(this.db, serial, content.session);
    if (previous === undefined) return undefined;
    const resetAt = new Date(content.sessionStart * 1000);
    const missions = this.options.missions;
    if (missions !== undefined) {
      const covering = await missions.coveringLogger(serial, resetAt, new Date(resetAt.getTime() + 1));
      if (covering.length > 0) return undefined;
    }
    return {
      serial,
      kind: 'logger-reset',
      channel: null,
      session: content.session,
      dedupeKey: `logger-reset:${String(content.session)}`,
      at: link.receivedAt,
      count: 1,
      once: true,
      detail: { previousSession: previous.session, sessionStart: resetAt.toISOString(), clockReset: content.flags.clockReset },
    };
  }

  private async keyVersionBackwards(link: AcceptedLink): Promise<AnomalySighting | undefined> {
    const newest = await anomalyRepository.noteKeyVersion(this.db, link.serial, link.keyVersion, link.receivedAt);
    if (newest === undefined || link.keyVersion >= newest) return undefined;
    return {
      serial: link.serial,
      kind: 'key-version-backwards',
      channel: null,
      session: link.content.session,
      dedupeKey: `key-version-backwards:${String(link.keyVersion)}`,
      at: link.receivedAt,
      count: 1,
      detail: { keyVersion: link.keyVersion, newestSeen: newest },
    };
  }
}
