import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { makeContent, makeLink, receivedAfter, T0 } from '../../packages/server/src/testing/test-links.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';
import { buildWorld, ingest, type World } from '../support/tenant-world.ts';

interface AnomalyPage {
  items: { id: string; serial: string; kind: string; session: number | null; count: number }[];
  nextCursor: string | null;
}

describe.each(TEST_DATABASE_KINDS)('data anomalies in the API on %s', (kind) => {
  let app: AccessApp;
  let world: World;

  /** A link of a new session: the logger was reset (no missions here: every reset is an anomaly). */
  async function reset(key: LoggerKey, session: number): Promise<void> {
    const o = { session, sessionStart: T0 + session * 86_400, count: 30 };
    const r = await app.services.ingest.ingest(makeLink(key, o), { receivedAt: receivedAfter(makeContent(key, o)), sourceAddress: '192.0.2.7', userAgent: null, via: 'api' });
    expect(r.status).toBe('accepted');
  }

  beforeAll(async () => {
    app = await startAccessApp(kind);
    world = await buildWorld(app);
    await reset(world.a.logger, 2);
    await reset(world.a.logger, 3);
    // The other team's logger: a first session, then a reset.
    await ingest(app, world.a.otherLogger);
    await reset(world.a.otherLogger, 2);
    await reset(world.b.logger, 2);
  }, 120_000);
  afterAll(async () => {
    await app.close();
  });

  const list = async (who: Credential, url: string): Promise<{ status: number; body: AnomalyPage }> => {
    const r = await app.request(who, { method: 'GET', url });
    return { status: r.statusCode, body: r.json<AnomalyPage>() };
  };

  it("lists a logger's anomalies, newest first, for whoever may read the logger", async () => {
    const url = `/api/v1/loggers/${world.a.logger.serial}/anomalies`;
    for (const who of [world.as.adminA, world.as.userA, world.as.keyReadA]) {
      const r = await list(who, url);
      expect(r.status).toBe(200);
      expect(r.body.items.map((a) => [a.kind, a.session, a.count])).toEqual([['logger-reset', 3, 1], ['logger-reset', 2, 1]]);
      expect(new Set(r.body.items.map((a) => a.serial))).toEqual(new Set([world.a.logger.serial]));
    }
    expect((await list(world.as.adminB, url)).status).toBe(404);
    expect((await list(world.as.anonymous, url)).status).toBe(401);
  });

  it("lists an organization's anomalies of the loggers the asker may read, page by page", async () => {
    const url = `/api/v1/orgs/${world.a.orgId}/anomalies`;
    const admin = await list(world.as.adminA, url);
    expect(admin.body.items.map((a) => a.serial).sort()).toEqual([world.a.logger.serial, world.a.logger.serial, world.a.otherLogger.serial].sort());
    // A plain user sees only the loggers of their team: not the other team's logger.
    const user = await list(world.as.userA, url);
    expect(user.body.items.map((a) => a.serial)).toEqual([world.a.logger.serial, world.a.logger.serial]);
    // Pages of one, following the cursor, give the same items in the same order, and end.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: AnomalyPage } = await list(world.as.adminA, `${url}?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(page.body.items.length).toBe(1);
      seen.push(page.body.items[0]!.id);
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(admin.body.items.map((a) => a.id));
    // Another organization's list is not found for A's members; a made-up cursor is a clear 400.
    expect((await list(world.as.adminA, `/api/v1/orgs/${world.b.orgId}/anomalies`)).status).toBe(404);
    const bad = await app.request(world.as.adminA, { method: 'GET', url: `${url}?cursor=not-a-cursor` });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toMatch(/at .*\.ts/);
  });
});
