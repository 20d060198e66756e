import { sealLink } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { humidityAt, makeContent, T0, temperatureAt } from '../../packages/server/src/testing/test-links.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { registeredRoutes } from '../../packages/server/src/http/policy-hook.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';
import { buildWorld, type World } from '../support/tenant-world.ts';

describe.each(TEST_DATABASE_KINDS)('the read API on %s', (kind) => {
  let app: AccessApp;
  let w: World;
  const get = async (as: Credential, url: string) => app.request(as, { method: 'GET', url });
  const send = async (as: Credential, method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.request(as, { method, url, ...(payload === undefined ? {} : { payload }) });
  const serials = async (as: Credential, query = '') => {
    const r = await get(as, `/api/v1/loggers${query}`);
    expect(r.statusCode).toBe(200);
    return (r.json<{ items: { serial: string }[] }>().items).map((l) => l.serial).sort();
  };
  const auditActions = async (orgId: string) =>
    (await app.services.tenancy.audit.list({ orgId, limit: 100 })).map((r) => r.action);

  beforeAll(async () => {
    app = await startAccessApp(kind);
    w = await buildWorld(app);
  });
  afterAll(async () => {
    await app.close();
  });

  it('lists the loggers each caller may see: admins and keys the organization\u2019s, users their teams\u2019, operators none', async () => {
    const { a, b } = w;
    const ownA = [a.logger.serial, a.otherLogger.serial].sort();
    expect(await serials(w.as.adminA)).toEqual(ownA);
    expect(await serials(w.as.keyReadA)).toEqual(ownA);
    expect(await serials(w.as.userA)).toEqual([a.logger.serial]);
    expect(await serials(w.as.adminB)).toEqual([b.logger.serial, b.otherLogger.serial].sort());
    expect(await serials(w.as.operator)).toEqual([]);
    expect((await get(w.as.anonymous, '/api/v1/loggers')).statusCode).toBe(401);
  });

  it('searches, filters and pages the list with an opaque cursor', async () => {
    const { a } = w;
    expect(await serials(w.as.adminA, `?q=${a.logger.serial.slice(0, 5).toLowerCase()}`)).toEqual([a.logger.serial]);
    expect(await serials(w.as.adminA, `?teamId=${a.otherTeamId}`)).toEqual([a.otherLogger.serial]);
    expect(await serials(w.as.adminA, '?scannedSince=2020-01-01T00:00:00Z')).toEqual([a.logger.serial]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await get(w.as.adminA, `/api/v1/loggers?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
      const body = r.json<{ items: { serial: string }[]; nextCursor: string | null }>();
      expect(body.items.length).toBeLessThanOrEqual(1);
      seen.push(...body.items.map((l) => l.serial));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([a.logger.serial, a.otherLogger.serial].sort());

    const bad = await get(w.as.adminA, '/api/v1/loggers?cursor=bm9wZQ');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: { code: 'invalid-request', message: expect.stringContaining('cursor') as string } });
    expect((await get(w.as.adminA, '/api/v1/loggers?limit=1001')).json()).toEqual({ error: { code: 'invalid-request', message: 'querystring/limit: must be <= 1000' } });
    const noRole = await send(w.as.adminA, 'POST', `/api/v1/orgs/${w.a.orgId}/members`, { email: 'x@acme.test' });
    expect(noRole.json()).toEqual({ error: { code: 'invalid-request', message: expect.stringContaining('body/role') as string } });
    // Unknown fields are refused, not silently dropped (a misspelt option would otherwise do nothing).
    const extra = await send(w.as.adminA, 'POST', `/api/v1/orgs/${w.a.orgId}/teams`, { name: 'ops', colour: 'red' });
    expect(extra.json()).toEqual({ error: { code: 'invalid-request', message: 'body/colour: unknown field' } });
    expect((await get(w.as.adminA, '/api/v1/loggers?serial=1')).json()).toEqual({ error: { code: 'invalid-request', message: 'querystring/serial: unknown field' } });
  });

  it('answers another organization\u2019s logger exactly like one that does not exist', async () => {
    const foreign = await get(w.as.adminA, `/api/v1/loggers/${w.b.logger.serial}`);
    const missing = await get(w.as.adminA, '/api/v1/loggers/NOSUCH0');
    const notMine = await get(w.as.userA, `/api/v1/loggers/${w.a.otherLogger.serial}`);
    for (const r of [foreign, missing, notMine]) {
      expect(r.statusCode).toBe(404);
      expect(r.body).toBe(missing.body);
    }
    const detail = await get(w.as.userA, `/api/v1/loggers/${w.a.logger.serial}`);
    expect(detail.json()).toMatchObject({ serial: w.a.logger.serial, orgId: w.a.orgId, teamId: w.a.teamId, model: 'QL-1', yourAccess: 'read-write', shares: [] });
  });

  it('serves readings in full (paged by time), downsampled, and their coverage', async () => {
    const serial = w.a.logger.serial;
    const full = await get(w.as.userA, `/api/v1/loggers/${serial}/readings?channel=temperature&limit=100`);
    expect(full.statusCode).toBe(200);
    const page1 = full.json<{ t: number[]; v: number[]; unit: string; nextCursor: string }>();
    expect(page1.unit).toBe('°C');
    expect(page1.t).toHaveLength(100);
    expect(page1.t[0]).toBe(T0);
    expect(page1.v.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((seq) => temperatureAt(7, seq)));
    const page2 = (await get(w.as.userA, `/api/v1/loggers/${serial}/readings?channel=temperature&limit=100&cursor=${page1.nextCursor}`)).json<{ t: number[]; nextCursor: null }>();
    expect(page2.t).toHaveLength(44);
    expect(page2.t[0]).toBe(T0 + 100 * 600);
    expect(page2.nextCursor).toBeNull();

    const ranged = (await get(w.as.userA, `/api/v1/loggers/${serial}/readings?channel=humidity&from=${new Date((T0 + 600) * 1000).toISOString()}&to=${new Date((T0 + 1800) * 1000).toISOString()}`)).json<{ v: number[] }>();
    expect(ranged.v).toEqual([1, 2].map((seq) => humidityAt(7, seq)));

    const overview = (await get(w.as.userA, `/api/v1/loggers/${serial}/readings/overview?channel=temperature&points=12`)).json<{ buckets: { min: number; max: number; avg: number; n: number }[] }>();
    expect(overview.buckets).toHaveLength(12);
    expect(overview.buckets.reduce((n, b) => n + b.n, 0)).toBe(144);
    const first12 = Array.from({ length: 12 }, (_, seq) => temperatureAt(7, seq));
    expect(overview.buckets[0]).toMatchObject({ min: Math.min(...first12), max: Math.max(...first12), n: 12 });

    const coverage = (await get(w.as.keyReadA, `/api/v1/loggers/${serial}/coverage`)).json<{ channels: { name: string; sessions: { known: { from: number; to: number }[] }[] }[] }>();
    expect(coverage.channels.map((c) => c.name)).toEqual(['temperature', 'humidity']);
    expect(coverage.channels[0]?.sessions[0]?.known).toEqual([expect.objectContaining({ from: 0, to: 143 })]);
    expect((await get(w.as.userA, `/api/v1/loggers/${serial}/readings?channel=pressure`)).statusCode).toBe(400);
  });

  it('records exports in the audit log', async () => {
    const r = await get(w.as.keyReadA, `/api/v1/loggers/${w.a.logger.serial}/export`);
    expect(r.statusCode).toBe(200);
    expect(r.json<{ channels: unknown[] }>().channels).toHaveLength(2);
    const [record] = await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 1 });
    expect(record).toMatchObject({ action: 'readings.exported', actor: { kind: 'api-key' }, target: { kind: 'logger', id: w.a.logger.serial } });
  });

  it('lists a logger\u2019s scans without their ids (the scan page\u2019s capability)', async () => {
    const r = await get(w.as.userA, `/api/v1/loggers/${w.a.logger.serial}/scans`);
    const items = r.json<{ items: Record<string, unknown>[] }>().items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ via: 'api', sourceAddress: '192.0.2.7', newReadings: 288, duplicateLink: false, location: null });
    // The chain index is the position of the scan's link in the logger's evidence chain.
    const evidence = await app.owner.db.selectFrom('evidence').select('chain_index').where('serial', '=', w.a.logger.serial).execute();
    expect(evidence).toHaveLength(1);
    expect(items[0]?.chainIndex).toBe(evidence[0]?.chain_index);
    const ids = await app.owner.db.selectFrom('scans').select('id').execute();
    for (const { id } of ids) expect(r.body).not.toContain(id);
  });

  it('lets admins claim provisioned loggers once, with the label\u2019s claim code, without telling whose a claimed one is', async () => {
    const [first, second] = w.unclaimed;
    const serial = first?.serial ?? '';
    const code = (s: string | undefined) => w.claimCodes[s ?? ''] ?? '';
    const claim = await send(w.as.adminA, 'POST', `/api/v1/orgs/${w.a.orgId}/claims`, { serial, claimCode: code(serial), teamId: w.a.otherTeamId });
    expect(claim.statusCode).toBe(201);
    expect(claim.json()).toMatchObject({ serial, orgId: w.a.orgId, teamId: w.a.otherTeamId });
    const againOwn = await send(w.as.adminA, 'POST', `/api/v1/orgs/${w.a.orgId}/claims`, { serial, claimCode: code(serial) });
    const againOther = await send(w.as.adminB, 'POST', `/api/v1/orgs/${w.b.orgId}/claims`, { serial, claimCode: code(serial) });
    expect(againOwn.statusCode).toBe(404);
    expect(againOther.body).toBe(againOwn.body);
    expect(againOther.body).not.toContain(w.a.orgId);
    expect((await send(w.as.adminA, 'POST', `/api/v1/orgs/${w.a.orgId}/claims`, { serial: 'NOSUCH9', claimCode: code(serial) })).body).toBe(againOwn.body);
    expect((await send(w.as.adminA, 'POST', `/api/v1/orgs/${w.a.orgId}/claims`, { serial: second?.serial, claimCode: code(second?.serial), teamId: w.b.teamId })).statusCode).toBe(404);
    expect((await send(w.as.userA, 'POST', `/api/v1/orgs/${w.a.orgId}/claims`, { serial: second?.serial, claimCode: code(second?.serial) })).statusCode).toBe(403);
    expect((await send(w.as.keyWriteA, 'POST', `/api/v1/orgs/${w.a.orgId}/claims`, { serial: second?.serial, claimCode: code(second?.serial) })).statusCode).toBe(403);
    expect(await auditActions(w.a.orgId)).toContain('logger.claimed');
  });

  it('shares a logger with another team read-only, never takes access from its owner, and audits both ways', async () => {
    const { a } = w;
    const url = `/api/v1/loggers/${a.otherLogger.serial}/shares/${a.teamId}`;
    expect((await get(w.as.userA, `/api/v1/loggers/${a.otherLogger.serial}`)).statusCode).toBe(404);
    expect((await send(w.as.adminA, 'PUT', url, { access: 'read' })).statusCode).toBe(204);
    const shared = await get(w.as.userA, `/api/v1/loggers/${a.otherLogger.serial}`);
    expect(shared.json()).toMatchObject({ yourAccess: 'read', shares: [{ teamId: a.teamId, access: 'read' }] });
    expect(await serials(w.as.userA)).toEqual([a.logger.serial, a.otherLogger.serial].sort());

    const toOwner = await send(w.as.adminA, 'PUT', `/api/v1/loggers/${a.otherLogger.serial}/shares/${a.otherTeamId}`, { access: 'read' });
    expect(toOwner.statusCode).toBe(409);
    expect((await send(w.as.adminA, 'PUT', `/api/v1/loggers/${a.otherLogger.serial}/shares/${w.b.teamId}`, { access: 'read' })).statusCode).toBe(404);
    expect((await send(w.as.userA, 'PUT', url, { access: 'read-write' })).statusCode).toBe(403);

    expect((await send(w.as.adminA, 'DELETE', url)).statusCode).toBe(204);
    expect((await get(w.as.userA, `/api/v1/loggers/${a.otherLogger.serial}`)).statusCode).toBe(404);
    expect((await send(w.as.adminA, 'DELETE', url)).statusCode).toBe(404);
    const actions = await auditActions(a.orgId);
    expect(actions).toContain('share.granted');
    expect(actions).toContain('share.revoked');
  });

  it('invites members, changes roles and removes them, keeping an admin and auditing each change', async () => {
    const org = w.b.orgId;
    const invite = await send(w.as.adminB, 'POST', `/api/v1/orgs/${org}/members`, { email: 'New.Hire@Brine.test', role: 'user', teamIds: [w.b.teamId] });
    expect(invite.statusCode).toBe(201);
    const member = invite.json<{ member: { id: string; email: string; status: string; teamIds: string[] }; invitationSent: boolean }>();
    expect(member).toMatchObject({ invitationSent: true, member: { email: 'new.hire@brine.test', status: 'invited', teamIds: [w.b.teamId] } });
    expect(app.invitations.at(-1)).toMatchObject({ user: { id: member.member.id }, organizationName: 'Brine' });

    // An address with an account in another organization gets the answer a new one gets: nothing leaks across tenants.
    const elsewhere = await send(w.as.adminB, 'POST', `/api/v1/orgs/${org}/members`, { email: w.a.user.email, role: 'user' });
    expect(elsewhere.statusCode).toBe(201);
    expect(elsewhere.body).not.toContain(w.a.orgId);
    // A member of this organization already: that concerns this organization, and is a conflict.
    const taken = await send(w.as.adminB, 'POST', `/api/v1/orgs/${org}/members`, { email: 'new.hire@brine.test', role: 'user' });
    expect(taken.statusCode).toBe(409);

    const list = (await get(w.as.adminB, `/api/v1/orgs/${org}/members`)).json<{ items: { id: string }[] }>();
    expect(list.items.map((m) => m.id)).toContain(member.member.id);

    const promote = await send(w.as.adminB, 'PATCH', `/api/v1/members/${member.member.id}`, { role: 'admin' });
    expect(promote.json()).toMatchObject({ role: 'admin' });
    expect((await send(w.as.adminA, 'PATCH', `/api/v1/members/${member.member.id}`, { role: 'user' })).statusCode).toBe(404);
    const records = await app.services.tenancy.audit.list({ orgId: org, limit: 5 });
    expect(records[0]).toMatchObject({ action: 'member.role-changed', actor: { kind: 'user', id: w.b.admin.id }, target: { id: member.member.id }, detail: { from: 'user', to: 'admin' } });

    // The invited admin does not count (cannot sign in yet): the last active admin stays.
    expect((await send(w.as.adminB, 'PATCH', `/api/v1/members/${w.b.admin.id}`, { role: 'user' })).statusCode).toBe(409);
    expect((await send(w.as.adminB, 'DELETE', `/api/v1/members/${member.member.id}`)).statusCode).toBe(204);
    expect((await get(w.as.adminB, `/api/v1/orgs/${org}/members`)).json<{ items: { id: string }[] }>().items.map((m) => m.id)).not.toContain(member.member.id);
    expect(await auditActions(org)).toEqual(expect.arrayContaining(['member.invited', 'member.role-changed', 'member.removed']));
  });

  it('cuts a removed member off at once', async () => {
    const { orgId } = w.b;
    const extra = await app.addUser('leaving@brine.test', { orgId, role: 'user', teamIds: [w.b.teamId] });
    const session = await app.signIn(extra);
    expect((await get(session, '/api/v1/loggers')).statusCode).toBe(200);
    expect((await send(w.as.adminB, 'DELETE', `/api/v1/members/${extra.id}`)).statusCode).toBe(204);
    expect((await get(session, '/api/v1/loggers')).statusCode).toBe(401);
  });

  it('lets operators create organizations and read audit logs, and readings only where an organization granted it', async () => {
    const created = await send(w.as.operator, 'POST', '/api/v1/orgs', { name: 'Cargo Co' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ organization: { name: 'Cargo Co', operatorAccess: false }, defaultTeam: { name: 'default' } });
    expect((await send(w.as.adminA, 'POST', '/api/v1/orgs', { name: 'Sneaky' })).statusCode).toBe(403);
    // The operator installs the new organization's first admin; once that admin can sign in, members are theirs alone.
    const cargo = created.json<{ organization: { id: string } }>().organization.id;
    const first = await send(w.as.operator, 'POST', `/api/v1/orgs/${cargo}/members`, { email: 'boss@cargo.test', role: 'admin' });
    expect(first.statusCode).toBe(201);
    await app.services.tenancy.users.activate(first.json<{ member: { id: string } }>().member.id);
    expect((await send(w.as.operator, 'POST', `/api/v1/orgs/${cargo}/members`, { email: 'ops-friend@cargo.test', role: 'admin' })).statusCode).toBe(403);
    expect((await get(w.as.operator, `/api/v1/orgs/${cargo}/members`)).statusCode).toBe(200);
    expect((await get(w.as.operator, '/api/v1/orgs?limit=1000')).json<{ items: unknown[] }>().items.length).toBeGreaterThanOrEqual(3);
    expect((await get(w.as.adminA, '/api/v1/orgs')).json<{ items: { id: string }[] }>().items.map((o) => o.id)).toEqual([w.a.orgId]);

    expect((await get(w.as.operator, `/api/v1/orgs/${w.a.orgId}/audit-log`)).statusCode).toBe(200);
    const readings = `/api/v1/loggers/${w.a.logger.serial}/readings?channel=temperature`;
    expect((await get(w.as.operator, readings)).statusCode).toBe(404);
    // Only the organization can grant it.
    expect((await send(w.as.operator, 'PATCH', `/api/v1/orgs/${w.a.orgId}`, { operatorAccess: true })).statusCode).toBe(403);
    expect((await send(w.as.adminA, 'PATCH', `/api/v1/orgs/${w.a.orgId}`, { operatorAccess: true })).json()).toMatchObject({ operatorAccess: true });
    expect((await get(w.as.operator, readings)).statusCode).toBe(200);
    expect(await serials(w.as.operator)).toEqual(await serials(w.as.adminA));
    expect((await send(w.as.adminA, 'PATCH', `/api/v1/orgs/${w.a.orgId}`, { operatorAccess: false })).statusCode).toBe(200);
    expect((await get(w.as.operator, readings)).statusCode).toBe(404);
    expect(await auditActions(w.a.orgId)).toContain('org.operator-access-changed');
  });

  it('manages API keys: the secret once, never in lists; keys cannot make keys; revocation ends their tokens', async () => {
    const org = w.a.orgId;
    const created = await send(w.as.adminA, 'POST', `/api/v1/orgs/${org}/api-keys`, { scope: 'read', name: 'dashboard' });
    expect(created.statusCode).toBe(201);
    const key = created.json<{ id: string; secret: string }>();
    expect(key.secret).toMatch(/^qrlog_sk_/);
    const list = await get(w.as.adminA, `/api/v1/orgs/${org}/api-keys`);
    expect(list.json<{ items: { id: string }[] }>().items.map((k) => k.id)).toContain(key.id);
    expect(list.body).not.toContain(key.secret);
    expect((await send(w.as.keyAdminA, 'POST', `/api/v1/orgs/${org}/api-keys`, { scope: 'admin' })).statusCode).toBe(403);

    const doomed = await app.apiKey(org, 'read');
    expect((await get(doomed, '/api/v1/me')).statusCode).toBe(200);
    expect((await send(w.as.adminB, 'DELETE', `/api/v1/api-keys/${doomed.kind === 'bearer' ? doomed.keyId : ''}`)).statusCode).toBe(404);
    expect((await send(w.as.adminA, 'DELETE', `/api/v1/api-keys/${doomed.kind === 'bearer' ? doomed.keyId : ''}`)).statusCode).toBe(204);
    expect((await get(doomed, '/api/v1/me')).statusCode).toBe(401);
    expect(await auditActions(org)).toEqual(expect.arrayContaining(['api-key.created', 'api-key.revoked']));
  });

  it('filters an organization\u2019s audit log by action, actor and time range, and refuses a filter that is not one', async () => {
    const org = w.a.orgId;
    const admin = w.as.adminA;
    if (admin.kind !== 'session') throw new Error('adminA signs in with a session');
    const created = (await send(admin, 'POST', `/api/v1/orgs/${org}/api-keys`, { scope: 'read', name: 'filtered' })).json<{ id: string }>();
    expect((await send(admin, 'DELETE', `/api/v1/api-keys/${created.id}`)).statusCode).toBe(204);
    type Items = { items: { action: string; actor: { id: string | null }; target: { id: string } | null; at: string }[]; nextCursor: string | null };
    const list = async (query: string) => {
      const r = await get(admin, `/api/v1/orgs/${org}/audit-log?${query}`);
      expect(r.statusCode, r.body).toBe(200);
      return r.json<Items>();
    };
    const ofKey = (items: Items['items']) => items.filter((r) => r.target?.id === created.id).map((r) => r.action);

    const revoked = await list('action=api-key.revoked');
    expect(revoked.items.every((r) => r.action === 'api-key.revoked')).toBe(true);
    expect(ofKey(revoked.items)).toEqual(['api-key.revoked']);
    const createdAt = (await list('action=api-key.created')).items.find((r) => r.target?.id === created.id)?.at ?? '';
    const revokedAt = revoked.items.find((r) => r.target?.id === created.id)?.at ?? '';
    const q = (iso: string) => encodeURIComponent(iso);
    const after = (iso: string) => new Date(Date.parse(iso) + 1).toISOString();
    // `from` counts its own instant, `to` does not.
    expect(ofKey((await list(`from=${q(createdAt)}&to=${q(after(revokedAt))}`)).items)).toEqual(['api-key.revoked', 'api-key.created']);
    expect(ofKey((await list(`from=${q(after(createdAt))}&to=${q(after(revokedAt))}`)).items)).toEqual(['api-key.revoked']);
    expect(ofKey((await list(`to=${q(createdAt)}`)).items)).toEqual([]);

    const byActor = await list(`actorId=${admin.userId}&limit=1`);
    expect(byActor.items.map((r) => r.actor.id)).toEqual([admin.userId]);
    expect(byActor.nextCursor).not.toBeNull();
    const next = await list(`actorId=${admin.userId}&limit=50&cursor=${byActor.nextCursor ?? ''}`);
    expect(next.items.length).toBeGreaterThan(0);
    expect(next.items.every((r) => r.actor.id === admin.userId)).toBe(true);
    expect((await list('actorId=usr_nobody')).items).toEqual([]);
    expect((await get(admin, `/api/v1/orgs/${org}/audit-log?from=yesterday`)).statusCode).toBe(400);
  });

  it('shows an organization the security events of its own loggers only', async () => {
    const tampered = (key: typeof w.a.logger) => {
      const link = sealLink(makeContent(key, { count: 10 }), { ...key, key: new Uint8Array(key.key.length).fill(9) }).url;
      return app.services.ingest.ingest(link, { receivedAt: new Date(), sourceAddress: '198.51.100.3', userAgent: null, via: 'api' });
    };
    await tampered(w.a.logger);
    await tampered(w.b.logger);
    // Both refusals are one aggregated row (same source, reason and minute): each organization
    // sees it under its own serial only, and never the other's.
    type Items = { items: { serial: string; reason: string; count: number; serials?: string[] }[] };
    const own = (await get(w.as.adminA, `/api/v1/orgs/${w.a.orgId}/security-events`)).json<Items>();
    expect(own.items.map((e) => e.serial)).toEqual([w.a.logger.serial]);
    expect(own.items[0]?.reason).toBe('auth-failed');
    expect(JSON.stringify(own)).not.toContain(w.b.logger.serial);
    const theirs = (await get(w.as.adminB, `/api/v1/orgs/${w.b.orgId}/security-events`)).json<Items>();
    expect(theirs.items.map((e) => e.serial)).toEqual([w.b.logger.serial]);
    expect(JSON.stringify(theirs)).not.toContain(w.a.logger.serial);
    // Narrowed to one logger (the logger page's integrity events): its own refusals; none for another of its loggers or another organization's.
    const bySerial = async (as: Credential, orgId: string, serial: string) => (await get(as, `/api/v1/orgs/${orgId}/security-events?serial=${serial}`)).json<Items>().items;
    expect((await bySerial(w.as.adminA, w.a.orgId, w.a.logger.serial)).map((e) => e.serial)).toEqual([w.a.logger.serial]);
    expect(await bySerial(w.as.adminA, w.a.orgId, w.a.otherLogger.serial)).toEqual([]);
    expect(await bySerial(w.as.adminA, w.a.orgId, w.b.logger.serial)).toEqual([]);
    const all = (await get(w.as.operator, '/api/v1/security-events')).json<Items>();
    expect(all.items.flatMap((e) => e.serials ?? [])).toEqual(expect.arrayContaining([w.a.logger.serial, w.b.logger.serial]));
    expect(all.items.reduce((n, e) => n + e.count, 0)).toBe(2);
    expect((await get(w.as.userA, `/api/v1/orgs/${w.a.orgId}/security-events`)).statusCode).toBe(403);
    expect((await get(w.as.adminA, '/api/v1/security-events')).statusCode).toBe(403);
  });

  it('publishes an OpenAPI 3.1 document of every API route, and a reference page served from here', async () => {
    const doc = (await get(w.as.anonymous, '/api/v1/openapi.json')).json<{ openapi: string; paths: Record<string, Record<string, { parameters?: unknown[]; requestBody?: { content: Record<string, { schema: { required?: string[]; properties: Record<string, unknown> } }> }; responses: Record<string, unknown> }>> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/loggers/{serial}/readings']?.get?.responses).toHaveProperty('200');
    expect(doc.paths['/api/v1/orgs/{orgId}/members']?.post).toBeDefined();
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/api/v1/'))).toEqual([]);
    // The token endpoint, with its request shape (from the same zod schema that checks it) and RFC 6749 errors.
    const token = doc.paths['/api/v1/auth/token']?.post;
    const body = token?.requestBody?.content['application/json']?.schema;
    expect(body?.required).toEqual(['grant_type']);
    expect(Object.keys(body?.properties ?? {}).sort()).toEqual(['client_id', 'client_secret', 'grant_type']);
    expect(JSON.stringify(token?.responses['401'])).toContain('error_description');
    const page = await get(w.as.anonymous, '/api/v1/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/(src|href)="https?:/);
    const css = await get(w.as.anonymous, '/api/v1/docs/static/swagger-ui.css');
    expect(css.statusCode).toBe(200);
  });

  it('documents every /api/v1 route Fastify knows, each with its request and response schemas', async () => {
    type Operation = { parameters?: { in: string; name: string; schema?: unknown }[]; requestBody?: { content: Record<string, { schema?: unknown }> }; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
    const doc = (await get(w.as.anonymous, '/api/v1/openapi.json')).json<{ paths: Record<string, Record<string, Operation>> }>();
    const undocumented = ['/api/v1/openapi.json', '/api/v1/docs'];
    const ACTIONS_WITHOUT_INPUT = ['POST /api/v1/members/:userId/invitation'];
    const routes = registeredRoutes(app.app).filter(
      (r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD' && !undocumented.some((u) => r.url.startsWith(u)),
    );
    expect(routes.length).toBeGreaterThan(30);
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const known = routes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(operations.sort()).toEqual([...new Set(known)].sort());
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      const op = doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
      if (op === undefined) throw new Error(`${key} is not in the document`);
      // Every path parameter, with its schema (the id patterns).
      const pathParams = [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1]);
      expect((op.parameters ?? []).filter((p) => p.in === 'path' && p.schema !== undefined).map((p) => p.name).sort(), key).toEqual(pathParams.sort());
      // A body wherever the route takes one (an action that takes no input is named here).
      if ((r.method === 'POST' || r.method === 'PATCH') && !ACTIONS_WITHOUT_INPUT.includes(key)) expect(Object.values(op.requestBody?.content ?? {})[0]?.schema, key).toBeDefined();
      // A success answer with its schema (a 204 has no body to describe).
      const success = Object.entries(op.responses).find(([status]) => status.startsWith('2'));
      expect(success, key).toBeDefined();
      if (success?.[0] !== '204') expect(Object.values(success?.[1].content ?? {})[0]?.schema, key).toBeDefined();
      // Its refusals, wherever it can refuse: a caller (a policy) or a body.
      if (r.policy !== 'public' || op.requestBody !== undefined) expect(Object.keys(op.responses).some((status) => status.startsWith('4')), key).toBe(true);
    }
  });
});
