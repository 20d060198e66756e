import { randomBase32 } from '../../packages/server/src/common/random-base32.ts';
import { alertRepository, type AlertRow, NOT_YET_HANDLED } from '../../packages/server/src/storage/alert-repository.ts';
import type { DatabaseHandle } from '../../packages/server/src/storage/database-handle.ts';
import { missionRepository } from '../../packages/server/src/storage/mission-repository.ts';

/** A mission row in transit, no rules (for access tests: alerts name it). */
export async function storeMission(db: DatabaseHandle['db'], o: { id: string; orgId: string; teamId: string }): Promise<void> {
  const at = Date.now();
  await missionRepository.insertMission(db, {
    id: o.id,
    org_id: o.orgId,
    team_id: o.teamId,
    name: o.id,
    template_id: null,
    status: 'in-transit',
    planned_start: at,
    planned_end: null,
    actual_start: at,
    actual_end: null,
    origin: null,
    destination: null,
    recipients: JSON.stringify({ teamIds: [], emails: [] }),
    rules: '[]',
    mkt_activation_energy: 83.144,
    created_at: at,
    updated_at: at,
    created_by: 'cli:',
  });
}

/**
 * An open alert stored as the evaluation stores one (the evaluation itself is tested in
 * core/alerts): for tests of who may see and act on alerts.
 */
export async function storeAlert(db: DatabaseHandle['db'], o: { orgId: string; teamId: string; serial: string; missionId?: string; severity?: string; state?: AlertRow['state']; raisedAt?: number }): Promise<string> {
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
    ...NOT_YET_HANDLED,
  });
  return id;
}
