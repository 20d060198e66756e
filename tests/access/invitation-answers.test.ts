import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenFor } from '../../packages/server/src/auth/web-session-service.ts';
import type { DirectoryUser } from '../../packages/server/src/core/tenancy/user-directory.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAuthApp, type AuthApp } from '../support/auth-app.ts';
import { TestBrowser, type Page } from '../support/browser.ts';

const SESSION = '__Host-qrlog_session';

interface InviteAnswer {
  member: { id: string; email: string; orgId: string; role: string; status: string; teamIds: string[]; createdAt: string; displayName: string | null };
  invitationSent: boolean;
}

/** An organization admin's browser, signed in (a session as the sign-in callback starts it), and what it posts. */
async function adminBrowser(qrlog: AuthApp, admin: DirectoryUser): Promise<(path: string, body: unknown) => Promise<Page>> {
  const { id } = await qrlog.auth.sessions.start({ userId: admin.id, issuer: qrlog.auth.relyingParty.issuer, idToken: null, sourceAddress: '127.0.0.1', userAgent: 'test' });
  const b = new TestBrowser([qrlog.ca]);
  b.setCookie('localhost', SESSION, id);
  return (path, body) => b.send(`${qrlog.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrfTokenFor(id) }, body: JSON.stringify(body) });
}

async function member(qrlog: AuthApp, orgId: string, email: string, role: 'admin' | 'user'): Promise<DirectoryUser> {
  const user = await qrlog.services.tenancy.users.createInvited(orgId, email, role);
  await qrlog.services.tenancy.users.activate(user.id);
  return { ...user, status: 'active' };
}

/** The answer without what differs for any two invitations (the new id, the address, the time). */
function shape(page: Page): unknown {
  const a = JSON.parse(page.body) as InviteAnswer;
  return { status: page.status, invitationSent: a.invitationSent, member: { ...a.member, id: 'X', email: 'X', createdAt: 'X' }, keys: Object.keys(a) };
}

describe.each(TEST_DATABASE_KINDS)('inviting a member tells the admin only what concerns their organization (%s)', (kind) => {
  let qrlog: AuthApp;

  beforeAll(async () => {
    qrlog = await startAuthApp(kind, () => ({}));
  });
  afterAll(async () => {
    await qrlog.close();
  });

  it('answers an address of another organization, or of an operator, exactly as an unknown one; 409 only for a member here', async () => {
    const mine = await qrlog.addOrg('Cold Chain Ltd');
    const theirs = await qrlog.addOrg('Brine GmbH');
    const admin = await member(qrlog, mine, `admin-${kind}@cold.example`, 'admin');
    const stranger = await member(qrlog, theirs, `someone-${kind}@brine.example`, 'user');
    const operator = await qrlog.services.tenancy.users.createOperator(`ops-${kind}@qrlog.example`);
    const post = await adminBrowser(qrlog, admin);
    const invite = (email: string) => post(`/api/v1/orgs/${mine}/members`, { email, role: 'user' });

    const unknown = await invite(`new-${kind}@cold.example`);
    expect(unknown.status).toBe(201);
    const seen = qrlog.notices.length;
    const otherOrg = await invite(stranger.email);
    const ofOperator = await invite(operator.email.toUpperCase());
    expect(shape(otherOrg)).toEqual(shape(unknown));
    expect(shape(ofOperator)).toEqual(shape(unknown));
    expect(otherOrg.body).not.toContain(theirs);
    expect(otherOrg.body).not.toContain(stranger.id);

    // Nothing of the other account changed; its owner was told, with nothing to accept.
    expect(await qrlog.services.tenancy.users.findById(stranger.id)).toMatchObject({ orgId: theirs, status: 'active' });
    const told = qrlog.notices.slice(seen).join('\n');
    expect(told).toContain(stranger.email);
    expect(told).not.toMatch(/#[A-Za-z0-9_-]{43}/);
    // The inviting organization's own audit log does not say it either.
    const log = await qrlog.services.tenancy.audit.list({ orgId: mine, limit: 100 });
    expect(JSON.stringify(log)).not.toContain(stranger.id);
    expect(JSON.stringify(log)).not.toContain(operator.id);

    // What concerns this organization: the address is a member here already.
    const again = await invite(`new-${kind}@cold.example`);
    expect(again.status).toBe(409);
    expect((await invite(admin.email)).status).toBe(409);
  });

  it('says invitationSent: true when the invitation was handed to a mail transport', async () => {
    const org = await qrlog.addOrg('Sent Ltd');
    const post = await adminBrowser(qrlog, await member(qrlog, org, `admin-sent-${kind}@cold.example`, 'admin'));
    const seen = qrlog.notices.length;
    const answer = await post(`/api/v1/orgs/${org}/members`, { email: `invitee-${kind}@cold.example`, role: 'user' });
    expect(answer.status).toBe(201);
    expect((JSON.parse(answer.body) as InviteAnswer).invitationSent).toBe(true);
    expect(qrlog.notices.slice(seen).join('\n')).toMatch(/\/account\/invitation#[A-Za-z0-9_-]{43}/);
  });
});

describe.each(TEST_DATABASE_KINDS)('inviting a member with an external identity provider (%s)', (kind) => {
  let qrlog: AuthApp;

  beforeAll(async () => {
    // An external provider that is never contacted here: nothing in qrlog delivers invitations then.
    qrlog = await startAuthApp(kind, (url) => ({ oidcIssuer: 'https://id.invalid/', oidcClientId: 'qrlog', oidcClientSecret: 'not-used-here', oidcAudience: `${url}/api` }));
  });
  afterAll(async () => {
    await qrlog.close();
  });

  it('answers invitationSent: false, since no message was handed to any transport', async () => {
    expect(qrlog.identity).toBeUndefined();
    const org = await qrlog.addOrg('Auth0 Customer');
    const post = await adminBrowser(qrlog, await member(qrlog, org, `admin-${kind}@auth0.example`, 'admin'));
    const answer = await post(`/api/v1/orgs/${org}/members`, { email: `invitee-${kind}@auth0.example`, role: 'user' });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ invitationSent: false, member: { status: 'invited' } });
  });
});
