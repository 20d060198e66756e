import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { anomalyRepository, type DataAnomalyRow } from '../../storage/anomaly-repository.ts';
import type { Subject } from '../access/policy.ts';
import { loggerScope } from '../tenancy/tenancy-queries.ts';
import type { AnomalyKind } from './anomaly-kind.ts';

export interface DataAnomaly {
  id: number;
  serial: string;
  kind: AnomalyKind;
  channel: string | null;
  session: number | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  count: number;
  detail: Record<string, unknown>;
}

/** What a logger's owners may read of its data anomalies (the routes check `logger.read` first). */
export class AnomalyQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async forLogger(serial: string, beforeId: number | undefined, limit: number): Promise<DataAnomaly[]> {
    return (await anomalyRepository.forLogger(this.db, serial, beforeId, limit)).map(toAnomaly);
  }

  /** An organization's anomalies, only of the loggers `subject` may read (the one listing scope). */
  async forOrganization(subject: Subject, orgId: string, beforeId: number | undefined, limit: number): Promise<DataAnomaly[]> {
    return (await anomalyRepository.inScope(this.db, loggerScope(subject), orgId, beforeId, limit)).map(toAnomaly);
  }
}

function toAnomaly(r: DataAnomalyRow): DataAnomaly {
  return {
    id: r.id,
    serial: r.serial,
    kind: r.kind as AnomalyKind,
    channel: r.channel,
    session: r.session,
    firstSeenAt: new Date(r.first_seen_at),
    lastSeenAt: new Date(r.last_seen_at),
    count: r.count,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
}
