import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { missionRepository, type MissionRow } from '../../storage/mission-repository.ts';
import { openDatabase } from '../../storage/open-database.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import type { MissionRule } from '../alerts/mission-rule.ts';
import { StoredMissionCoverage } from './stored-mission-coverage.ts';

const T0 = Date.UTC(2026, 10, 1);
const HOUR = 3_600_000;
const RULES: MissionRule[] = [
  { id: 'r1', kind: 'limit', channel: 'temperature', severity: 'warning', low: 2, high: 8, delayReadings: 3 },
  { id: 'r2', kind: 'no-scan', severity: 'critical', maxSilenceSeconds: 3600 },
];

function mission(id: string, status: MissionRow['status'] = 'planned'): MissionRow {
  return {
    id,
    org_id: 'org_1',
    team_id: 'team_1',
    name: `mission ${id}`,
    template_id: null,
    status,
    planned_start: T0,
    planned_end: T0 + 48 * HOUR,
    actual_start: null,
    actual_end: null,
    origin: 'Basel',
    destination: 'Lyon',
    recipients: JSON.stringify({ teamIds: [], emails: [] }),
    rules: JSON.stringify(RULES),
    mkt_activation_energy: 83.144,
    created_at: T0,
    updated_at: T0,
    created_by: 'user:usr_1',
  };
}

describe.each(TEST_DATABASE_KINDS)('missions storage on %s', (kind) => {
  let t: TestDatabase;
  let handle: DatabaseHandle;

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    handle = await openDatabase(t.config);
    const db = handle.db;
    await db.insertInto('organizations').values({ id: 'org_1', name: 'Org', operator_access: 0, created_at: T0 }).execute();
    await db.insertInto('teams').values({ id: 'team_1', org_id: 'org_1', name: 'Team', created_at: T0 }).execute();
    await db.insertInto('loggers').values([{ serial: 'QL1', model: null, created_at: T0 }, { serial: 'QL2', model: null, created_at: T0 }]).execute();
    await missionRepository.insertMission(db, mission('m_a', 'in-transit'));
    await missionRepository.insertMission(db, mission('m_b'));
  });
  afterEach(async () => {
    await handle.close();
    await t.cleanup();
  });

  it('answers the periods of a logger that overlap a range, with their mission rules', async () => {
    const db = handle.db;
    await missionRepository.insertPeriod(db, { id: 'p1', mission_id: 'm_a', serial: 'QL1', from_ms: T0, to_ms: T0 + 10 * HOUR });
    await missionRepository.insertPeriod(db, { id: 'p2', mission_id: 'm_b', serial: 'QL1', from_ms: T0 + 10 * HOUR, to_ms: null });
    await missionRepository.insertPeriod(db, { id: 'p3', mission_id: 'm_b', serial: 'QL2', from_ms: T0, to_ms: T0 + HOUR });
    const coverage = new StoredMissionCoverage(db);

    const early = await coverage.coveringLogger('QL1', new Date(T0 - HOUR), new Date(T0 + HOUR));
    expect(early).toEqual([
      { missionId: 'm_a', organizationId: 'org_1', teamId: 'team_1', serial: 'QL1', from: new Date(T0), to: new Date(T0 + 10 * HOUR), status: 'in-transit', rules: RULES },
    ]);
    // [from, to): a range ending where a period starts does not overlap it; the open period reaches any later time.
    expect((await coverage.coveringLogger('QL1', new Date(T0 + 9 * HOUR), new Date(T0 + 10 * HOUR))).map((c) => c.missionId)).toEqual(['m_a']);
    expect((await coverage.coveringLogger('QL1', new Date(T0 + 9 * HOUR), new Date(T0 + 11 * HOUR))).map((c) => c.missionId)).toEqual(['m_a', 'm_b']);
    const late = await coverage.coveringLogger('QL1', new Date(T0 + 900 * HOUR), new Date(T0 + 901 * HOUR));
    expect(late.map((c) => [c.missionId, c.to])).toEqual([['m_b', null]]);
    expect(await coverage.coveringLogger('QL1', new Date(T0 - 2 * HOUR), new Date(T0 - HOUR))).toEqual([]);
    expect(await coverage.coveringLogger('QL3', new Date(T0), new Date(T0 + HOUR))).toEqual([]);

    const inTransit = await coverage.inTransit();
    expect(inTransit.map((c) => [c.missionId, c.serial])).toEqual([['m_a', 'QL1']]);
    await missionRepository.changeStatus(db, 'm_b', 'planned', { status: 'in-transit', updated_at: T0 + HOUR, actual_start: T0 + HOUR });
    expect((await coverage.inTransit()).map((c) => [c.missionId, c.serial])).toEqual([['m_a', 'QL1'], ['m_b', 'QL1'], ['m_b', 'QL2']]);
  });

  it('the database itself refuses overlapping periods of one logger, across missions and within one', async () => {
    const db = handle.db;
    await missionRepository.insertPeriod(db, { id: 'p1', mission_id: 'm_a', serial: 'QL1', from_ms: T0, to_ms: T0 + 10 * HOUR });
    await expect(missionRepository.insertPeriod(db, { id: 'p2', mission_id: 'm_b', serial: 'QL1', from_ms: T0 + 9 * HOUR, to_ms: null })).rejects.toThrow();
    await expect(missionRepository.insertPeriod(db, { id: 'p3', mission_id: 'm_a', serial: 'QL1', from_ms: T0 - HOUR, to_ms: T0 + HOUR })).rejects.toThrow();
    await expect(missionRepository.insertPeriod(db, { id: 'p4', mission_id: 'm_b', serial: 'QL1', from_ms: T0 - 5 * HOUR, to_ms: null })).rejects.toThrow();
    // Touching is not overlapping; another logger is free.
    await missionRepository.insertPeriod(db, { id: 'p5', mission_id: 'm_b', serial: 'QL1', from_ms: T0 + 10 * HOUR, to_ms: null });
    await missionRepository.insertPeriod(db, { id: 'p6', mission_id: 'm_b', serial: 'QL2', from_ms: T0, to_ms: null });
    // Nor may an update make one overlap.
    await expect(db.updateTable('mission_loggers').set({ to_ms: T0 + 11 * HOUR }).where('id', '=', 'p1').execute()).rejects.toThrow();
    // A period must end after it starts.
    await expect(missionRepository.insertPeriod(db, { id: 'p7', mission_id: 'm_a', serial: 'QL2', from_ms: T0 - HOUR, to_ms: T0 - HOUR })).rejects.toThrow();
    expect((await missionRepository.overlapping(db, 'QL1', T0 - 100 * HOUR, null)).map((p) => p.id)).toEqual(['p1', 'p5']);
    if (kind === 'postgres') {
      // Where btree_gist is available (it is here), an exclusion constraint rather than the trigger.
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_constraint c join pg_namespace s on s.oid = c.connamespace
        where c.conname = 'mission_loggers_no_overlap' and c.contype = 'x' and s.nspname = current_schema()`.execute(db);
      expect(rows[0]?.n).toBe(1);
    }
  });

  it('closes open periods when asked, and keeps shares, templates and public links', async () => {
    const db = handle.db;
    await missionRepository.insertPeriod(db, { id: 'p1', mission_id: 'm_a', serial: 'QL1', from_ms: T0, to_ms: null });
    await missionRepository.closeOpenPeriods(db, 'm_a', T0 + 5 * HOUR);
    expect(await missionRepository.periodsOf(db, 'm_a')).toEqual([{ id: 'p1', mission_id: 'm_a', serial: 'QL1', from_ms: T0, to_ms: T0 + 5 * HOUR }]);

    await db.insertInto('teams').values({ id: 'team_2', org_id: 'org_1', name: 'Other', created_at: T0 }).execute();
    expect(await missionRepository.putShare(db, 'm_a', 'team_2', 'read', T0)).toBe(true);
    expect(await missionRepository.putShare(db, 'm_a', 'team_2', 'read', T0)).toBe(false);
    expect(await missionRepository.putShare(db, 'm_a', 'team_2', 'read-write', T0)).toBe(true);
    expect((await missionRepository.sharesOf(db, 'm_a')).map((s) => s.access)).toEqual(['read-write']);
    const scope = { orgIds: [], teams: { orgId: 'org_1', teamIds: ['team_2'] } };
    expect((await missionRepository.listMissions(db, scope, { limit: 10 })).map((m) => m.id)).toEqual(['m_a']);
    expect((await missionRepository.listMissions(db, { orgIds: ['org_1'] }, { limit: 10, serial: 'QL1' })).map((m) => m.id)).toEqual(['m_a']);
    expect(await missionRepository.deleteShare(db, 'm_a', 'team_2')).toBe(true);
    expect(await missionRepository.listMissions(db, scope, { limit: 10 })).toEqual([]);

    const hash = Buffer.alloc(32, 7);
    await missionRepository.insertLink(db, { id: 'ml_1', mission_id: 'm_a', token_hash: hash, label: null, created_at: T0, created_by: 'user:usr_1', expires_at: T0 + HOUR, revoked_at: null });
    expect((await missionRepository.findLinkByHash(db, hash))?.id).toBe('ml_1');
    await missionRepository.recordOpen(db, { link_id: 'ml_1', mission_id: 'm_a', opened_at: T0 + 1, source_digest: 'abc' });
    expect(await missionRepository.openCounts(db, 'm_a')).toEqual([{ link_id: 'ml_1', opens: 1, last_opened_at: T0 + 1 }]);
    await expect(db.deleteFrom('mission_link_opens').execute()).rejects.toThrow(/append-only|permission denied/);
    expect(await missionRepository.revokeLink(db, 'm_a', 'ml_1', T0 + 2)).toBe(true);
    expect(await missionRepository.revokeLink(db, 'm_a', 'ml_1', T0 + 3)).toBe(false);
  });
});
