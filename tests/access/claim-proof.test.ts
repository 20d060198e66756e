import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLink } from '../../packages/server/src/testing/test-links.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';
import { buildWorld, type World } from '../support/tenant-world.ts';

/**
 * Issue 8, item 3: any organization admin could claim any unclaimed logger by its serial (readable
 * from any of its links) and then read its whole history; 404 against 409 told which serials
 * exist. A claim now needs proof of possession: the claim code from the label, or a fresh scan by
 * the claiming admin. Every refusal about the logger is one answer.
 */
describe.each(TEST_DATABASE_KINDS)('claiming a logger needs proof of possession, on %s', (kind) => {
  let app: AccessApp;
  let w: World;
  let spare: LoggerKey[];
  const claims = (orgId: string) => `/api/v1/orgs/${orgId}/claims`;
  let calls = 0;
  /** Each call from its own address unless told (the throttle counts per address too). */
  const post = (as: Credential, orgId: string, payload: object, remoteAddress = `198.51.100.${String(++calls)}`) =>
    app.request(as, { method: 'POST', url: claims(orgId), payload, remoteAddress });
  /** A link whose newest reading is `ageSeconds` old now: what the logger's screen shows. */
  const linkPath = (key: LoggerKey, ageSeconds: number) => {
    const count = 12;
    const sessionStart = Math.floor(Date.now() / 1000) - ageSeconds - (count - 1) * 600;
    return new URL(makeLink(key, { count, sessionStart, sealedAfter: 0 })).pathname;
  };
  /** A phone scans the link (with the caller's session, if any): the scan page's path. */
  const scan = async (as: Credential, path: string) => {
    const r = await app.request(as, { method: 'GET', url: path });
    expect(r.statusCode).toBe(303);
    const page = r.headers.location ?? '';
    expect(page).toMatch(/^\/scan\//);
    return { page, scanId: page.slice('/scan/'.length) };
  };
  const claimedTeam = async (serial: string) =>
    (await app.owner.db.selectFrom('logger_claims').select('team_id').where('serial', '=', serial).executeTakeFirst())?.team_id;

  beforeAll(async () => {
    app = await startAccessApp(kind);
    w = await buildWorld(app);
    spare = w.unclaimed;
  });
  afterAll(async () => {
    await app.close();
  });

  it('refuses a claim by serial alone: another organization\u2019s admin neither gets the logger nor its history', async () => {
    const victim = spare[0]!;
    // The rightful owner's logger has readings before anyone claims it.
    expect((await app.request(w.as.anonymous, { method: 'GET', url: linkPath(victim, 60) })).statusCode).toBe(303);
    const attack = await post(w.as.adminB, w.b.orgId, { serial: victim.serial });
    expect(attack.statusCode).not.toBe(201);
    expect(await claimedTeam(victim.serial)).toBeUndefined();
    expect((await app.request(w.as.adminB, { method: 'GET', url: `/api/v1/loggers/${victim.serial}/readings?channel=temperature` })).statusCode).toBe(404);
    // The owner, with the code from the label, claims it.
    const own = await post(w.as.adminA, w.a.orgId, { serial: victim.serial, claimCode: w.claimCodes[victim.serial]!.toLowerCase() });
    expect(own.statusCode).toBe(201);
    expect(own.json()).toMatchObject({ serial: victim.serial, orgId: w.a.orgId, teamId: w.a.teamId });
    expect(await claimedTeam(victim.serial)).toBe(w.a.teamId);
    const audit = await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 100 });
    expect(audit.find((r) => r.action === 'logger.claimed' && r.target?.id === victim.serial)?.detail).toMatchObject({ proof: 'claim-code' });
  });

  it('answers an unknown serial, a claimed one, a wrong code and a spent code the same way', async () => {
    const claimed = spare[0]!; // claimed by A above, with its code
    const free = spare[1]!;
    const answers = [
      await post(w.as.adminB, w.b.orgId, { serial: 'NOSUCH9', claimCode: w.claimCodes[free.serial]! }),
      await post(w.as.adminB, w.b.orgId, { serial: w.a.logger.serial, claimCode: w.claimCodes[free.serial]! }),
      await post(w.as.adminB, w.b.orgId, { serial: claimed.serial, claimCode: w.claimCodes[claimed.serial]! }),
      await post(w.as.adminA, w.a.orgId, { serial: claimed.serial, claimCode: w.claimCodes[claimed.serial]! }),
      await post(w.as.adminB, w.b.orgId, { serial: free.serial, claimCode: w.claimCodes[claimed.serial]! }),
      await post(w.as.adminB, w.b.orgId, { serial: free.serial, claimCode: 'not-a-code' }),
    ];
    for (const a of answers) {
      expect(a.statusCode).toBe(404);
      expect(a.body).toBe(answers[0]!.body);
    }
    expect(answers[0]!.body).not.toMatch(/claimed already|no such logger/);
    expect(await claimedTeam(free.serial)).toBeUndefined();
  });

  it('documents both proofs in the API document', async () => {
    const doc = (await app.request(w.as.anonymous, { method: 'GET', url: '/api/v1/openapi.json' })).json<{
      paths: Record<string, { post: { requestBody: { content: { 'application/json': { schema: { anyOf: { required: string[] }[] } } } }; responses: Record<string, unknown> } }>;
    }>();
    const op = doc.paths['/api/v1/orgs/{orgId}/claims']!.post;
    expect(op.requestBody.content['application/json'].schema.anyOf.map((s) => s.required)).toEqual([['serial', 'claimCode'], ['scanId']]);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['201', '404', '429']));
    expect(Object.keys(op.responses)).not.toContain('409');
  });

  it('stores claim codes only hashed', async () => {
    const rows = await app.owner.db.selectFrom('logger_claim_codes').selectAll().execute();
    expect(rows.length).toBeGreaterThanOrEqual(8);
    const stored = rows.map((r) => Buffer.from(r.code_hash).toString('latin1')).join('\n');
    for (const code of Object.values(w.claimCodes)) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace(/-/g, ''));
    }
    for (const r of rows) expect(Buffer.from(r.code_hash)).toHaveLength(32);
  });

  it('accepts the claiming admin\u2019s own scan of the live QR code, from the scan page, within 10 minutes', async () => {
    const key = spare[2]!;
    const { page, scanId } = await scan(w.as.adminA, linkPath(key, 5 * 60));
    const body = (await app.request(w.as.adminA, { method: 'GET', url: page })).body;
    expect(body).toContain('Nobody has claimed this logger');
    expect(body).toContain(`data-scan="${scanId}"`);
    // Another admin who learns the scan id cannot use it; nor can an API key.
    const stolen = await post(w.as.adminB, w.b.orgId, { scanId });
    expect(stolen.statusCode).toBe(404);
    expect((await app.request(w.as.adminB, { method: 'GET', url: page })).body).not.toContain('Nobody has claimed');
    expect((await post(w.as.keyAdminA, w.a.orgId, { scanId })).statusCode).toBe(404);
    // What the page's script sends.
    const claim = await post(w.as.adminA, w.a.orgId, { scanId, teamId: w.a.otherTeamId });
    expect(claim.statusCode).toBe(201);
    expect(await claimedTeam(key.serial)).toBe(w.a.otherTeamId);
    expect(stolen.body).toBe((await post(w.as.adminA, w.a.orgId, { scanId })).body);
  });

  it('does not count a scan made without the admin\u2019s session, an old link replayed, or a scan more than 10 minutes old', async () => {
    const key = spare[3]!;
    const anonymous = await scan(w.as.anonymous, linkPath(key, 60));
    expect((await post(w.as.adminA, w.a.orgId, { scanId: anonymous.scanId })).statusCode).toBe(404);
    expect((await app.request(w.as.adminA, { method: 'GET', url: anonymous.page })).body).not.toContain('Nobody has claimed');

    // A photo of the screen from two hours ago, scanned now: the newest reading is too old.
    const replayed = await scan(w.as.adminA, linkPath(key, 2 * 3600));
    expect((await post(w.as.adminA, w.a.orgId, { scanId: replayed.scanId })).statusCode).toBe(404);
    expect((await app.request(w.as.adminA, { method: 'GET', url: replayed.page })).body).not.toContain('Nobody has claimed');

    // A fresh scan proves possession for 10 minutes; here it was made 11 minutes ago.
    const late = await scan(w.as.adminA, linkPath(key, 30));
    await app.owner.db.updateTable('claim_scans').set({ scanned_at: Date.now() - 11 * 60_000 }).where('scan_id', '=', late.scanId).execute();
    const tooLate = await post(w.as.adminA, w.a.orgId, { scanId: late.scanId });
    expect(tooLate.statusCode).toBe(404);
    expect(await claimedTeam(key.serial)).toBeUndefined();
  });

  it('throttles failed claims per caller and per address, and never the logger', async () => {
    const key = spare[3]!;
    const guesser = await app.signIn(await app.addUser('guesser@brine.test', { orgId: w.b.orgId, role: 'admin' }));
    const guesses: number[] = [];
    for (let i = 0; i < 12; i++) guesses.push((await post(guesser, w.b.orgId, { serial: key.serial, claimCode: `AAAA-AAAA-AAAA-AA${String(i).padStart(2, '0')}` }, '203.0.113.9')).statusCode);
    expect(guesses.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(guesses.slice(10)).toEqual([429, 429]);
    // The same admin from elsewhere is still held back (per caller); the owner is not.
    expect((await post(guesser, w.b.orgId, { serial: key.serial, claimCode: 'AAAA-AAAA-AAAA-AAAA' }, '203.0.113.10')).statusCode).toBe(429);
    // Another admin from the guesser's address is held back too (per address).
    expect((await post(w.as.adminB, w.b.orgId, { serial: key.serial, claimCode: 'AAAA-AAAA-AAAA-AAAA' }, '203.0.113.9')).statusCode).toBe(429);
    expect((await post(w.as.adminA, w.a.orgId, { serial: key.serial, claimCode: w.claimCodes[key.serial]! }, '203.0.113.11')).statusCode).toBe(201);
  });
});
