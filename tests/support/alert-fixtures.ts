import { randomBase32 } from '../../packages/server/src/common/random-base32.ts';
import { alertRepository, type AlertRow } from '../../packages/server/src/storage/alert-repository.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../packages/server/src/storage/database-schema.ts';

/**
 * An open alert stored as the evaluation stores one (the evaluation itself is tested in
 * core/alerts): for tests of who may see and act on alerts.
 */
export async function storeAlert(db: Kysely<Database>, o: { orgId: string; teamId: string; serial: string; missionId?: string; severity?: string; state?: AlertRow['state']; raisedAt?: number }): Promise<string> {
  const id = `alr_${randomBase32(15)}`;
  const at = o.raisedAt ?? Date.now();
  await alertRepository.insert(db, {
    id,
    org_id: o.orgId,
    team_id: o.teamId,
    mission_id: o.missionId ?? 'mis_fixture',
    serial: o.serial,
    rule_id: 'hot',
    rule_kind: 'limit',
    severity: o.severity ?? 'critical',
    channel: 'temperature',
    started_at: at - 3_600_000,
    ended_at: at - 600_000,
    worst: 12.5,
    extent: 6,
    ongoing: 0,
    state: o.state ?? 'open',
    fingerprint: id,
    raised_at: at,
    updated_at: at,
    acknowledged_by: null,
    acknowledged_at: null,
    acknowledge_comment: null,
    closed_at: null,
    closed_by: null,
    close_comment: null,
    close_reason: null,
    superseded_into: null,
  });
  return id;
}
