import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openServices } from '../../app/open-services.ts';
import type { Services } from '../../app/open-services.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { isAppError } from '../../common/app-error.ts';

const CLI = { actor: { kind: 'operator-cli' as const } };

describe.each(TEST_DATABASE_KINDS)('the mission service on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  const notices: string[] = [];

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    services = await openServices({ dataDir: t.dir, databaseUrl: t.config.databaseUrl, databaseSchema: t.config.databaseSchema, kek: {}, checkpoint: {}, notice: (m) => notices.push(m), poolSize: 3 });
  });
  afterEach(async () => {
    await services.close();
    await t.cleanup();
  });

  async function newMission() {
    const { defaultTeam } = await services.tenancy.tenancy.createOrganization(`Org ${String(Math.random()).slice(2, 8)}`, CLI);
    return services.missions.missions.create({ teamId: defaultTeam.id, name: 'Trip' }, { kind: 'anonymous' }, CLI);
  }

  it('a failing delivery listener is told about and undoes nothing; the others still hear', async () => {
    const m = await newMission();
    const heard: string[] = [];
    services.missions.missions.onDelivered(() => {
      throw new Error('report service down');
    });
    services.missions.missions.onDelivered((d) => {
      heard.push(d.id);
    });
    await services.missions.missions.changeStatus(m.id, 'in-transit', CLI);
    const delivered = await services.missions.missions.changeStatus(m.id, 'delivered', CLI);
    expect(delivered.status).toBe('delivered');
    expect(heard).toEqual([m.id]);
    expect(notices.some((n) => n.includes(m.id) && n.includes('report service down'))).toBe(true);
    expect((await services.missions.missions.detail(m.id)).status).toBe('delivered');
  });

  it('of two concurrent identical status changes one wins, the other is told (409)', async () => {
    const m = await newMission();
    const results = await Promise.allSettled([services.missions.missions.changeStatus(m.id, 'in-transit', CLI), services.missions.missions.changeStatus(m.id, 'in-transit', CLI)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused !== undefined && isAppError(refused.reason, 'conflict')).toBe(true);
    const audit = await services.tenancy.audit.list({ limit: 50 });
    expect(audit.filter((r) => r.action === 'mission.status-changed' && r.target?.id === m.id)).toHaveLength(1);
  });
});
