import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLink } from '../../packages/server/src/testing/test-links.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAccessApp, type AccessApp } from '../support/access-app.ts';
import { buildWorld, type World } from '../support/tenant-world.ts';

interface Health {
  since: string;
  hours: { start: string; scans: { new: number; known: number; duplicate: number }; refused: number }[];
  totals: { scans: { new: number; known: number; duplicate: number }; refused: number };
  refusalsByReason: { reason: string; count: number }[];
}

/**
 * The operators' platform health, computed by the database on each engine from stored scans and
 * the security log: the last 24 hours only (the world's own scans are from 2025 and must not
 * count), each scan counted once by what it did, refusals by reason.
 */
describe.each(TEST_DATABASE_KINDS)('GET /api/v1/platform/health on %s', (kind) => {
  let app: AccessApp;
  let w: World;

  beforeAll(async () => {
    app = await startAccessApp(kind);
    w = await buildWorld(app);
  }, 60_000);
  afterAll(async () => {
    await app.close();
  });

  const scan = (url: string) => app.services.ingest.ingest(url, { receivedAt: new Date(), sourceAddress: '198.51.100.9', userAgent: null, via: 'scan' });
  const health = async (): Promise<Health> => {
    const r = await app.request(w.as.operator, { method: 'GET', url: '/api/v1/platform/health' });
    expect(r.statusCode, r.body).toBe(200);
    return r.json<Health>();
  };

  it('counts the last day\u2019s scans per hour by result and the refusals by reason', async () => {
    const before = await health();
    // The world's scans were received in 2025: outside the last 24 hours.
    expect(before.totals).toEqual({ scans: { new: 0, known: 0, duplicate: 0 }, refused: 0 });
    expect(before.hours).toHaveLength(24);

    const key = w.unclaimed[0]!;
    const sessionStart = Math.floor(Date.now() / 1000) - 86_400;
    const day = makeLink(key, { sessionStart, firstSeq: 0, count: 100 });
    expect((await scan(day)).status).toBe('accepted'); // new readings
    expect((await scan(day)).status).toBe('accepted'); // the same link again
    expect((await scan(makeLink(key, { sessionStart, firstSeq: 10, count: 50 }))).status).toBe('accepted'); // readings known already
    // One digit changed near the end: the serial still reads, the seal no longer opens.
    const at = day.length - 20;
    const forged = `${day.slice(0, at)}${String((Number(day[at]) + 1) % 10)}${day.slice(at + 1)}`;
    const refused = await scan(forged);
    const again = await scan(forged);
    expect(refused.status).toBe('rejected');
    expect(again.status).toBe('rejected');

    // The second refusal of a minute is counted in memory and added to its row within a second.
    await expect.poll(async () => (await health()).totals.refused, { timeout: 10_000 }).toBe(2);
    const after = await health();
    expect(after.totals).toEqual({ scans: { new: 1, known: 1, duplicate: 1 }, refused: 2 });
    const reason = refused.status === 'rejected' ? refused.reason : '';
    expect(after.refusalsByReason).toEqual([{ reason, count: 2 }]);
    // 24 consecutive hours, the last the current one; together they hold every count above.
    expect(after.hours).toHaveLength(24);
    expect(Date.now() - Date.parse(after.hours[23]!.start)).toBeLessThan(3_600_000);
    const sum = (f: (h: Health['hours'][number]) => number) => after.hours.reduce((n, h) => n + f(h), 0);
    expect([sum((h) => h.scans.new), sum((h) => h.scans.known), sum((h) => h.scans.duplicate), sum((h) => h.refused)]).toEqual([1, 1, 1, 2]);
    expect(Date.parse(after.hours[1]!.start) - Date.parse(after.hours[0]!.start)).toBe(3_600_000);
    expect(after.since).toBe(after.hours[0]!.start);
  });

  it('is the operators\u2019 only: members and API keys are refused', async () => {
    for (const as of [w.as.adminA, w.as.userA, w.as.keyAdminA]) {
      expect((await app.request(as, { method: 'GET', url: '/api/v1/platform/health' })).statusCode).toBe(403);
    }
    expect((await app.request(w.as.anonymous, { method: 'GET', url: '/api/v1/platform/health' })).statusCode).toBe(401);
  });
});
