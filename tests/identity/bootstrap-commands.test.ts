import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInService } from '../../packages/server/src/auth/sign-in-service.ts';
import { IdentityResolver } from '../../packages/server/src/auth/identity-resolver.ts';
import { NO_PEOPLE_RULES } from '../../packages/server/src/auth/auth-settings.ts';
import { serverCommands } from '../../packages/server/src/commands/server-commands.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { codeFor } from '../support/accounts.ts';
import { startIdentityServer, type IdentityServer } from '../support/identity-server.ts';
import { beginSignIn, discoverRelyingParty, redeem, toFirstPage, type RelyingParty } from '../support/relying-party.ts';
import { formOf, secretOf, TestBrowser } from '../support/test-browser.ts';

interface Printed {
  id: string;
  email: string;
  firstSignIn: { provider: 'embedded'; invitationLink: string; expiresAt: string } | { provider: 'external'; issuer: string; note: string };
}

/**
 * Issue 13, "What broke" 1: no command made the first user. `qrlog operators add`, `qrlog orgs
 * create --admin-email` and `qrlog orgs invite` now create users who are linked at their first
 * sign-in through the configured provider: here the embedded one, over real HTTPS, through the
 * whole OpenID Connect flow; and an external one's first sign-in by verified e-mail.
 */
describe.each(TEST_DATABASE_KINDS)('bootstrap commands on %s', (kind) => {
  let server: IdentityServer;
  let rp: RelyingParty;
  let env: NodeJS.ProcessEnv;

  const run = async (name: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    let out = '';
    let err = '';
    const code = await serverCommands[name]!([...args, '--data-dir', server.test.dir], { out: (s) => (out += s), err: (s) => (err += s), env: { ...env, ...extraEnv } });
    return { code, out, err };
  };
  const printed = <T = Printed>(r: { code: number; out: string; err: string }): T => {
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.out) as T;
  };

  /** The invitee opens the printed link, chooses a password and, when asked, sets up an authenticator. */
  const accept = async (link: string, password: string): Promise<Uint8Array | string | undefined> => {
    const url = new URL(link);
    expect(url.origin).toBe(server.publicUrl);
    const browser = new TestBrowser(server.publicUrl, server.ca);
    const page = await browser.get(url.pathname);
    const form = formOf(page.body);
    const done = await browser.post(form.action, { ...form.fields, token: url.hash.slice(1), password, password2: password });
    expect(done.status).toBe(200);
    if (done.body.includes('Your account is ready')) return undefined;
    expect(done.body).toContain('Set up your authenticator app');
    const secret = secretOf(done.body);
    const enrol = formOf(done.body);
    expect((await browser.post(enrol.action, { ...enrol.fields, code: codeFor(secret) })).body).toContain('Authenticator app ready');
    return secret;
  };

  /** The whole OpenID Connect sign-in with the embedded provider: the ID token's subject. */
  const signIn = async (email: string, password: string, secret?: Uint8Array | string) => {
    const browser = new TestBrowser(server.publicUrl, server.ca);
    const started = await beginSignIn(rp);
    const first = await toFirstPage(browser, started.url, rp);
    let form = formOf(first.page.body);
    let page = await browser.post(form.action, { ...form.fields, email, password });
    if (secret !== undefined && page.body.includes('Enter your code')) {
      form = formOf(page.body);
      page = await browser.post(form.action, { ...form.fields, code: codeFor(secret, 1) });
    }
    const done = await browser.follow(page, (url) => url.startsWith(rp.redirectUri));
    expect(done.stoppedAt).not.toBeNull();
    return (await redeem(rp, done.stoppedAt!, started)).claims()!.sub;
  };

  beforeAll(async () => {
    server = await startIdentityServer(kind);
    rp = await discoverRelyingParty(server.identity.issuer, server.ca, server.identity.embeddedClientCredentials(), server.publicUrl);
    env = { DATABASE_URL: server.test.config.databaseUrl, QRLOG_DB_SCHEMA: server.test.config.databaseSchema, QRLOG_PUBLIC_URL: server.publicUrl };
  });
  afterAll(async () => {
    await server.close();
  });

  it('`operators add` makes an operator who signs in with the embedded provider through the printed link', async () => {
    const email = `first-op-${kind}@example.com`;
    const op = printed(await run('operators add', ['--email', email.toUpperCase()]));
    expect(op).toMatchObject({ email, operator: true, status: 'invited', firstSignIn: { provider: 'embedded' } });
    if (op.firstSignIn.provider !== 'embedded') throw new Error('embedded expected');
    expect(op.firstSignIn.invitationLink.startsWith(`${server.publicUrl}/account/invitation#`)).toBe(true);
    const secret = await accept(op.firstSignIn.invitationLink, 'operator password 1');
    expect(secret).toBeDefined(); // operators need an authenticator
    expect(await signIn(email, 'operator password 1', secret)).toBe(op.id);
    expect(await server.users.findById(op.id)).toMatchObject({ operator: true, orgId: null, status: 'active' });
    const audit = await server.audit.list({ limit: 50 });
    expect(audit.some((r) => r.action === 'operator.added' && r.actor.kind === 'operator-cli' && r.target?.id === op.id)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(op.firstSignIn.invitationLink.split('#')[1]);
  });

  it('`orgs create --admin-email` invites the first admin, and `orgs invite` a member; both sign in', async () => {
    const adminEmail = `boss-${kind}@example.com`;
    const org = printed<{ id: string; defaultTeamId: string; admin: Printed }>(await run('orgs create', ['--name', 'Kühlhaus Süd', '--admin-email', adminEmail]));
    expect(org.admin).toMatchObject({ email: adminEmail, firstSignIn: { provider: 'embedded' } });
    expect(await server.users.findById(org.admin.id)).toMatchObject({ orgId: org.id, role: 'admin', status: 'invited' });
    if (org.admin.firstSignIn.provider !== 'embedded') throw new Error('embedded expected');
    const secret = await accept(org.admin.firstSignIn.invitationLink, 'admin password 12');
    expect(await signIn(adminEmail, 'admin password 12', secret)).toBe(org.admin.id);

    const memberEmail = `crew-${kind}@example.com`;
    const member = printed<Printed & { orgId: string; role: string; teamIds: string[] }>(
      await run('orgs invite', ['--org', org.id, '--email', memberEmail, '--role', 'user', '--team', org.defaultTeamId]),
    );
    expect(member).toMatchObject({ email: memberEmail, orgId: org.id, role: 'user', status: 'invited', teamIds: [org.defaultTeamId] });
    if (member.firstSignIn.provider !== 'embedded') throw new Error('embedded expected');
    expect(await accept(member.firstSignIn.invitationLink, 'member password 1')).toBeUndefined();
    expect(await signIn(memberEmail, 'member password 1')).toBe(member.id);
  });

  it('refuses what cannot be done with a clear message and the exit codes of the other commands', async () => {
    const bad = await run('operators add', ['--email', 'not an address']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('not an email address');
    const taken = await run('operators add', ['--email', `first-op-${kind}@example.com`]);
    expect(taken.code).toBe(1);
    expect(taken.err).toContain('cannot be invited');
    const takenAdmin = await run('orgs create', ['--name', 'Left Over', '--admin-email', `crew-${kind}@example.com`]);
    expect(takenAdmin.code).toBe(1);
    expect((await server.database.db.selectFrom('organizations').select('id').where('name', '=', 'Left Over').execute())).toEqual([]);
    const noOrg = await run('orgs invite', ['--org', 'org_000000000000000000000000', '--email', `x-${kind}@example.com`, '--role', 'user']);
    expect(noOrg.code).toBe(1);
    expect(noOrg.err).toContain('no such organization');
    const noRole = await run('orgs invite', ['--org', 'org_000000000000000000000000', '--email', `x-${kind}@example.com`, '--role', 'owner']);
    expect(noRole.code).toBe(2);
    expect(noRole.err).toContain('--role must be admin or user');
  });

  it('with an external provider prints no link: the first sign-in there with the verified address links the account', async () => {
    const issuer = 'https://tenant.auth0.example/';
    const email = `ext-op-${kind}@example.com`;
    const op = printed(await run('operators add', ['--email', email], { QRLOG_OIDC_ISSUER: issuer }));
    expect(op.firstSignIn).toEqual({ provider: 'external', issuer, note: expect.stringContaining(email) as string });
    expect(JSON.stringify(op)).not.toContain('/account/invitation');
    const signIns = new SignInService(server.users, server.audit, null, new IdentityResolver(server.users, NO_PEOPLE_RULES));
    // The resolver reads the provider's claims (ID token and userinfo) as the relying party hands them over.
    const identity = { issuer, subject: 'auth0|64f0c0ffee', email, emailVerified: true, name: null, claims: { email, email_verified: true }, idToken: 'not-used' };
    // An unverified address links nothing.
    const unverified = { ...identity, subject: 'auth0|mallory', emailVerified: false, claims: { email, email_verified: false } };
    expect(await signIns.signIn(unverified, '192.0.2.1')).toEqual({ status: 'refused', reason: 'email-not-verified' });
    const first = await signIns.signIn(identity, '192.0.2.1');
    expect(first).toMatchObject({ status: 'signed-in', user: { id: op.id, operator: true, status: 'active' } });
    // Linked now: the subject alone finds the operator.
    expect(await signIns.signIn({ ...identity, email: null, emailVerified: false, claims: {} }, '192.0.2.1')).toMatchObject({ status: 'signed-in', user: { id: op.id } });
  });
});
