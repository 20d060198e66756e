import { sealLink, type LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { humidityAt, makeContent, temperatureAt, type ContentOptions } from '../../packages/server/src/testing/test-links.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';
import { buildWorld, ingest, type World } from '../support/tenant-world.ts';

const CLI = { actor: { kind: 'operator-cli' as const } };

interface Row {
  serial: string;
  teamId: string;
  lastScanAt: string | null;
  status: { state: string; since: string | null; channels: string[] };
  lastScan: { at: string; location: unknown } | null;
  newest: { channel: string; unit: string; value: number; at: string }[];
  coverage: { from: string; to: string; stored: number; expected: number; gaps: number } | null;
}

/**
 * The loggers list behind the web app's home page (listLoggers) and its bulk action
 * (assignLoggersToTeam): what each row says, the status filter and the last-scan order, and who
 * may move loggers between teams, all or none.
 */
describe.each(TEST_DATABASE_KINDS)('the loggers list and team assignment on %s', (kind) => {
  let app: AccessApp;
  let w: World;
  /** Claimed into A's default team: scanned a minute ago, its newest link in alarm on temperature. */
  let alarmed: LoggerKey;
  /** Claimed into A's default team: scanned a minute ago, within limits. */
  let fine: LoggerKey;
  const alarmSealedAt: number[] = [];
  const get = async (as: Credential, url: string) => app.request(as, { method: 'GET', url });
  const list = async (as: Credential, query = '') => {
    const r = await get(as, `/api/v1/loggers${query}`);
    expect(r.statusCode).toBe(200);
    return r.json<{ items: Row[]; nextCursor: string | null }>();
  };
  const serials = async (as: Credential, query = '') => (await list(as, query)).items.map((l) => l.serial);
  const assign = async (as: Credential, serials: string[], teamId: string) =>
    app.request(as, { method: 'POST', url: `/api/v1/orgs/${w.a.orgId}/loggers/assign-team`, payload: { serials, teamId } });
  const teamOf = async (serial: string) => (await get(w.as.adminA, `/api/v1/loggers/${serial}`)).json<{ teamId: string }>().teamId;

  /** A link received now, sealed a minute before, its readings ending then. */
  async function scanNow(key: LoggerKey, o: Omit<ContentOptions, 'sessionStart'> & { alarm?: boolean }): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const interval = o.interval ?? 600;
    const content = makeContent(key, { ...o, sessionStart: now - 60 - ((o.firstSeq ?? 0) + o.count) * interval - 60 });
    if (o.alarm === true) {
      content.channels.temperature = {
        samples: content.channels.temperature?.samples ?? [],
        summary: { min: 2, max: 30, limits: { low: 2, high: 8 }, belowCount: 0, aboveCount: 12, alarm: { triggered: true, active: true } },
      };
      alarmSealedAt.push(content.sealedAt);
    }
    const r = await app.services.ingest.ingest(sealLink(content, key, { baseUrl: 'https://qr.example/' }).url, {
      receivedAt: new Date(),
      sourceAddress: '192.0.2.7',
      userAgent: null,
      via: 'api',
    });
    if (r.status !== 'accepted') throw new Error(`ingest refused: ${r.reason}`);
  }

  beforeAll(async () => {
    app = await startAccessApp(kind);
    w = await buildWorld(app);
    const [first, second] = w.unclaimed;
    if (first === undefined || second === undefined) throw new Error('two unclaimed loggers needed');
    [alarmed, fine] = [first, second];
    for (const key of [alarmed, fine]) await app.services.tenancy.tenancy.claimByOperator(w.a.orgId, key.serial, w.a.teamId, CLI, 'cli:');
    await scanNow(alarmed, { count: 12, alarm: true, humidity: true });
    await scanNow(fine, { count: 24, humidity: true });
    // The tenant's logger got seq 0–143 (long ago); a later scan brings 200–243: one gap of 56.
    await ingest(app, w.a.logger, 200, 44);
  }, 120_000);
  afterAll(async () => {
    await app.close();
  });

  it('gives each row its status, newest scan, newest values and stored span', async () => {
    const rows = new Map((await list(w.as.adminA)).items.map((l) => [l.serial, l]));
    expect([...rows.keys()]).toEqual([w.a.logger.serial, w.a.otherLogger.serial, alarmed.serial, fine.serial].sort());

    const old = rows.get(w.a.logger.serial);
    expect(old?.status).toEqual({ state: 'silent', since: null, channels: [] });
    expect(old?.lastScan?.at).toBe(old?.lastScanAt);
    expect(old?.newest.map((n) => [n.channel, n.unit, n.value])).toEqual([
      ['temperature', '°C', temperatureAt(7, 243)],
      ['humidity', '%RH', humidityAt(7, 243)],
    ]);
    // Two channels, seq 0–143 and 200–243: 188 of 244 slots each, one gap each.
    expect(old?.coverage).toMatchObject({ stored: 2 * 188, expected: 2 * 244, gaps: 2 });

    const never = rows.get(w.a.otherLogger.serial);
    expect(never).toMatchObject({ status: { state: 'silent', since: null }, lastScan: null, lastScanAt: null, newest: [], coverage: null });

    const alarm = rows.get(alarmed.serial);
    expect(alarm?.status).toEqual({ state: 'alarm', since: new Date((alarmSealedAt[0] ?? 0) * 1000).toISOString(), channels: ['temperature'] });
    expect(Date.now() - Date.parse(alarm?.lastScan?.at ?? '')).toBeLessThan(10 * 60_000);

    const ok = rows.get(fine.serial);
    expect(ok?.status).toEqual({ state: 'ok', since: null, channels: [] });
    expect(ok?.newest.find((n) => n.channel === 'temperature')?.value).toBe(temperatureAt(7, 23));
    expect(ok?.coverage).toMatchObject({ stored: 48, expected: 48, gaps: 0 });
  });

  it('filters by status and team, and sorts by newest scan with never-scanned last, page by page', async () => {
    expect(await serials(w.as.adminA, '?status=alarm')).toEqual([alarmed.serial]);
    expect(await serials(w.as.adminA, '?status=ok')).toEqual([fine.serial]);
    expect(await serials(w.as.adminA, '?status=silent')).toEqual([w.a.logger.serial, w.a.otherLogger.serial].sort());
    expect(await serials(w.as.adminA, `?status=silent&teamId=${w.a.otherTeamId}`)).toEqual([w.a.otherLogger.serial]);
    // A plain user sees only their team's loggers, whatever the filter.
    expect(await serials(w.as.userA, '?status=silent')).toEqual([w.a.logger.serial]);

    const byScan = (await list(w.as.adminA, '?sort=last-scan')).items;
    const times = byScan.map((l) => (l.lastScanAt === null ? -1 : Date.parse(l.lastScanAt)));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(byScan.at(-1)?.serial).toBe(w.a.otherLogger.serial);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(w.as.adminA, `?sort=last-scan&limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
      paged.push(...page.items.map((l) => l.serial));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(byScan.map((l) => l.serial));
    expect((await get(w.as.adminA, '/api/v1/loggers?status=broken')).statusCode).toBe(400);
  });

  it('moves loggers to another team all or none, audited; a member only what they may write, into their own team', async () => {
    // One logger of another organization in the batch: nothing moves.
    const mixed = await assign(w.as.adminA, [fine.serial, w.b.logger.serial], w.a.otherTeamId);
    expect(mixed.statusCode).toBe(404);
    expect(mixed.json()).toEqual({ error: { code: 'not-found', message: `no such logger: ${w.b.logger.serial}` } });
    expect(await teamOf(fine.serial)).toBe(w.a.teamId);
    expect((await assign(w.as.adminA, [fine.serial], w.b.teamId)).statusCode).toBe(404);

    // The user is in the default team only: not into "field", and not field's logger.
    const notTheirTeam = await assign(w.as.userA, [fine.serial], w.a.otherTeamId);
    expect(notTheirTeam.statusCode).toBe(403);
    expect(await teamOf(fine.serial)).toBe(w.a.teamId);
    const added = await app.request(w.as.adminA, { method: 'PUT', url: `/api/v1/teams/${w.a.otherTeamId}/members/${w.a.user.id}` });
    expect(added.statusCode).toBeLessThan(300);
    const third = await app.services.tenancy.tenancy.createTeam(w.a.orgId, 'cold room', CLI);
    await app.request(w.as.adminA, { method: 'PUT', url: `/api/v1/teams/${third.id}/members/${w.a.user.id}` });
    await app.services.tenancy.tenancy.putShare(fine.serial, w.a.otherTeamId, 'read', CLI);
    await app.request(w.as.adminA, { method: 'DELETE', url: `/api/v1/teams/${w.a.teamId}/members/${w.a.user.id}` });
    // Now in "field" and "cold room", not in default: the default team's `fine` is only shared read with field.
    const readOnly = await assign(w.as.userA, [w.a.otherLogger.serial, fine.serial], third.id);
    expect(readOnly.statusCode).toBe(403);
    expect(readOnly.json()).toEqual({ error: { code: 'forbidden', message: `you may not change these loggers: ${fine.serial}` } });
    expect(await teamOf(w.a.otherLogger.serial)).toBe(w.a.otherTeamId);
    const byUser = await assign(w.as.userA, [w.a.otherLogger.serial], third.id);
    expect(byUser.json()).toEqual({ moved: [w.a.otherLogger.serial] });
    expect(await teamOf(w.a.otherLogger.serial)).toBe(third.id);

    const byAdmin = await assign(w.as.adminA, [w.a.logger.serial, fine.serial, w.a.otherLogger.serial], w.a.otherTeamId);
    expect(byAdmin.statusCode).toBe(200);
    expect(byAdmin.json<{ moved: string[] }>().moved.sort()).toEqual([w.a.logger.serial, fine.serial, w.a.otherLogger.serial].sort());
    expect(await serials(w.as.adminA, `?teamId=${w.a.otherTeamId}`)).toEqual([w.a.logger.serial, w.a.otherLogger.serial, fine.serial].sort());
    // The team's read share on `fine` went: it owns it now.
    expect((await get(w.as.adminA, `/api/v1/loggers/${fine.serial}`)).json()).toMatchObject({ teamId: w.a.otherTeamId, shares: [] });
    // Moving into the team that owns them already changes nothing and records nothing.
    expect((await assign(w.as.adminA, [fine.serial], w.a.otherTeamId)).json()).toEqual({ moved: [] });

    const records = (await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 100 })).filter((r) => r.action === 'logger.team-assigned');
    expect(records).toHaveLength(4);
    expect(records.find((r) => r.target?.id === w.a.otherLogger.serial && r.actor.id === w.a.user.id)?.detail).toEqual({ fromTeamId: w.a.otherTeamId, toTeamId: third.id });
    expect((await assign(w.as.keyWriteA, [fine.serial], w.a.teamId)).statusCode).toBe(403);
  });
});
