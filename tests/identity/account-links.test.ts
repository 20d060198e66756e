import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverCommands } from '../../packages/server/src/commands/server-commands.ts';
import { mailBody, mailHeader, startSmtpListener, type SmtpListener } from '../../packages/server/src/testing/smtp-listener.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { activeUser, codeFor, createOrganization, invitedUser } from '../support/accounts.ts';
import { startIdentityServer, type IdentityServer } from '../support/identity-server.ts';
import { beginSignIn, discoverRelyingParty, redeem, toFirstPage, type RelyingParty } from '../support/relying-party.ts';
import { errorOf, formOf, secretOf, TestBrowser, type Page } from '../support/test-browser.ts';

/** Opens a token link as a browser does: the fragment stays in the browser, the page's script moves it into the form. */
async function openLink(server: IdentityServer, link: string): Promise<{ browser: TestBrowser; page: Page; token: string }> {
  const url = new URL(link);
  expect(url.origin).toBe(server.publicUrl);
  const browser = new TestBrowser(server.publicUrl, server.ca);
  const page = await browser.get(url.pathname);
  expect(page.status).toBe(200);
  expect(page.body).toContain('location.hash');
  return { browser, page, token: url.hash.slice(1) };
}

/** Signs in through the whole OIDC flow; the last page before the callback when not done. */
async function signIn(server: IdentityServer, rp: RelyingParty, email: string, password: string, secret?: string | Uint8Array, offsetSteps = 0) {
  const browser = new TestBrowser(server.publicUrl, server.ca);
  const started = await beginSignIn(rp);
  const first = await toFirstPage(browser, started.url, rp);
  let form = formOf(first.page.body);
  let page = await browser.post(form.action, { ...form.fields, email, password });
  if (secret !== undefined && page.status === 200 && page.body.includes('Enter your code')) {
    form = formOf(page.body);
    page = await browser.post(form.action, { ...form.fields, code: codeFor(secret, offsetSteps) });
  }
  const done = await browser.follow(page, (url) => url.startsWith(rp.redirectUri));
  if (done.stoppedAt === null) return { ok: false as const, page: done.page };
  return { ok: true as const, tokens: await redeem(rp, done.stoppedAt, started) };
}

const linkIn = (text: string): string => {
  const m = /https:\/\/\S+#[A-Za-z0-9_-]{43}/.exec(text);
  if (m === null) throw new Error(`no link in: ${text}`);
  return m[0];
};

describe.each(TEST_DATABASE_KINDS)('invitations, password resets and setup links on %s', (kind) => {
  let smtp: SmtpListener;
  let server: IdentityServer;
  let rp: RelyingParty;
  let offsetMs = 0;

  beforeAll(async () => {
    smtp = await startSmtpListener();
    server = await startIdentityServer(kind, { mail: { smtpUrl: smtp.url(), from: 'qrlog@cold.example' }, nowMs: () => Date.now() + offsetMs, throttle: { freeFailures: 1000 } });
    rp = await discoverRelyingParty(server.identity.issuer, server.ca, server.identity.embeddedClientCredentials(), server.publicUrl);
  });
  afterAll(async () => {
    await server.close();
    await smtp.close();
  });

  it('mails an invitation; the link sets a password once, activates the user, and the user signs in', async () => {
    const orgId = await createOrganization(server, 'Kühlkette Nord');
    const user = await invitedUser(server, `ivy-${kind}@example.com`, 'user', orgId);
    const seen = smtp.received.length;
    await server.identity.mailer.sendInvitation(user, { organizationName: 'Kühlkette Nord', invitedBy: 'Ada Admin' });
    const mail = await smtp.nextMail(seen);
    expect(mail).toMatchObject({ from: 'qrlog@cold.example', to: [user.email] });
    expect(mailHeader(mail.data, 'Subject')).toMatch(/^=\?UTF-8\?B\?/);
    const text = mailBody(mail.data);
    expect(text).toContain('invited by Ada Admin to Kühlkette Nord on qrlog');
    const link = linkIn(text);
    expect(new URL(link).pathname).toBe('/account/invitation');

    const { browser, page, token } = await openLink(server, link);
    let form = formOf(page.body);
    const mismatch = await browser.post(form.action, { ...form.fields, token, password: 'a fine new password', password2: 'a different password' });
    expect(mismatch.status).toBe(400);
    expect(errorOf(mismatch.body)).toBe('The two passwords differ.');
    const short = await browser.post(form.action, { ...form.fields, token, password: 'short', password2: 'short' });
    expect(errorOf(short.body)).toContain('at least 10 characters');
    form = formOf(short.body);
    const done = await browser.post(form.action, { ...form.fields, token, password: 'a fine new password', password2: 'a fine new password' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Your account is ready');
    expect((await server.users.findById(user.id))?.status).toBe('active');

    // The link is used up.
    const again = await browser.post(form.action, { ...form.fields, token, password: 'another password!', password2: 'another password!' });
    expect(again.status).toBe(400);
    expect(errorOf(again.body)).toContain('does not work any more');

    const signedIn = await signIn(server, rp, user.email, 'a fine new password');
    expect(signedIn.ok && signedIn.tokens.claims()!.sub).toBe(user.id);
    const audit = await server.audit.list({ limit: 100 });
    expect(audit.filter((r) => r.target?.id === user.id).map((r) => r.action)).toEqual(expect.arrayContaining(['account.invitation-accepted', 'account.password-set']));
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('has an invited admin set up an authenticator before the account is done', async () => {
    const user = await invitedUser(server, `ada-${kind}@example.com`, 'admin');
    const seen = smtp.received.length;
    await server.identity.mailer.sendInvitation(user);
    const { browser, page, token } = await openLink(server, linkIn(mailBody((await smtp.nextMail(seen)).data)));
    const form = formOf(page.body);
    const enrol = await browser.post(form.action, { ...form.fields, token, password: 'admin password 1', password2: 'admin password 1' });
    expect(enrol.status).toBe(200);
    expect(enrol.body).toContain('Set up your authenticator app');
    const secret = secretOf(enrol.body);
    const enrolForm = formOf(enrol.body);
    expect(enrolForm.action).toBe('/account/two-factor/confirm');
    const ready = await browser.post(enrolForm.action, { ...enrolForm.fields, code: codeFor(secret) });
    expect(ready.status).toBe(200);
    expect(ready.body).toContain('Authenticator app ready');

    const withCode = await signIn(server, rp, user.email, 'admin password 1', secret, 1);
    expect(withCode.ok && withCode.tokens.claims()!.amr).toEqual(['pwd', 'otp']);
  });

  it('answers a reset request the same for any address, mails only real accounts, and the link changes the password once', async () => {
    const email = `rosa-${kind}@example.com`;
    const { user } = await activeUser(server, { email, password: 'the old password' });
    const ask = async (address: string): Promise<Page> => {
      const browser = new TestBrowser(server.publicUrl, server.ca);
      const form = formOf((await browser.get('/account/reset')).body);
      return browser.post(form.action, { ...form.fields, email: address });
    };
    const seen = smtp.received.length;
    const unknown = await ask(`nobody-${kind}@example.com`);
    const known = await ask(email.toUpperCase());
    expect(unknown.status).toBe(200);
    expect(known.status).toBe(200);
    expect(unknown.body).toBe(known.body);
    const mail = await smtp.nextMail(seen);
    expect(mail.to).toEqual([email]);
    // Only the real account got a mail.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.received.length).toBe(seen + 1);

    const { browser, page, token } = await openLink(server, linkIn(mailBody(mail.data)));
    const form = formOf(page.body);
    const done = await browser.post(form.action, { ...form.fields, token, password: 'the new password', password2: 'the new password', code: '' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Password changed');
    expect((await signIn(server, rp, email, 'the old password')).ok).toBe(false);
    expect((await signIn(server, rp, email, 'the new password')).ok).toBe(true);
    const reuse = await browser.post(form.action, { ...form.fields, token, password: 'yet another one!', password2: 'yet another one!', code: '' });
    expect(errorOf(reuse.body)).toContain('does not work any more');
    const audit = await server.audit.list({ limit: 100 });
    expect(audit.filter((r) => r.target?.id === user.id).map((r) => r.action)).toEqual(expect.arrayContaining(['account.password-reset-requested', 'account.password-reset']));
  });

  it('refuses an expired reset link, and a reset without the code of an enrolled authenticator', async () => {
    const email = `otto-${kind}@example.com`;
    const { user, secret } = await activeUser(server, { email, password: 'otto password 1', totp: true });
    let seen = smtp.received.length;
    await server.identity.mailer.sendPasswordReset(user);
    const expiring = linkIn(mailBody((await smtp.nextMail(seen)).data));
    offsetMs += 31 * 60_000;
    try {
      const { browser, page, token } = await openLink(server, expiring);
      const form = formOf(page.body);
      const late = await browser.post(form.action, { ...form.fields, token, password: 'otto password 2', password2: 'otto password 2', code: codeFor(secret!) });
      expect(errorOf(late.body)).toContain('does not work any more');
    } finally {
      offsetMs -= 31 * 60_000;
    }

    seen = smtp.received.length;
    await server.identity.mailer.sendPasswordReset(user);
    const { browser, page, token } = await openLink(server, linkIn(mailBody((await smtp.nextMail(seen)).data)));
    let form = formOf(page.body);
    const noCode = await browser.post(form.action, { ...form.fields, token, password: 'otto password 2', password2: 'otto password 2', code: '' });
    expect(noCode.status).toBe(401);
    form = formOf(noCode.body);
    const withCode = await browser.post(form.action, { ...form.fields, token, password: 'otto password 2', password2: 'otto password 2', code: codeFor(secret!) });
    expect(withCode.status).toBe(200);
    expect((await signIn(server, rp, email, 'otto password 2', secret!, 1)).ok).toBe(true);
  });

  it('changes a password, and sets up an authenticator, on the account pages', async () => {
    const email = `pia-${kind}@example.com`;
    await activeUser(server, { email, password: 'pia password 1' });
    const browser = new TestBrowser(server.publicUrl, server.ca);
    let form = formOf((await browser.get('/account/password')).body);
    const wrong = await browser.post(form.action, { ...form.fields, email, current: 'not it at all', code: '', password: 'pia password 2', password2: 'pia password 2' });
    expect(wrong.status).toBe(401);
    form = formOf(wrong.body);
    const changed = await browser.post(form.action, { ...form.fields, email, current: 'pia password 1', code: '', password: 'pia password 2', password2: 'pia password 2' });
    expect(changed.body).toContain('Password changed');

    form = formOf((await browser.get('/account/two-factor')).body);
    const enrol = await browser.post(form.action, { ...form.fields, email, password: 'pia password 2', code: '' });
    const secret = secretOf(enrol.body);
    form = formOf(enrol.body);
    expect((await browser.post(form.action, { ...form.fields, code: codeFor(secret) })).body).toContain('Authenticator app ready');
    // Sign-in now asks for a code.
    expect((await signIn(server, rp, email, 'pia password 2')).ok).toBe(false);
    expect((await signIn(server, rp, email, 'pia password 2', secret, 1)).ok).toBe(true);
  });

  it('prints invitation links to the log when no mail server is configured', async () => {
    const logOnly = await startIdentityServer(kind);
    try {
      const user = await invitedUser(logOnly, `lou-${kind}@example.com`);
      await logOnly.identity.mailer.sendInvitation(user);
      expect(logOnly.notices).toHaveLength(1);
      const notice = logOnly.notices[0]!;
      expect(notice).toContain(`mail to ${user.email}`);
      const { browser, page, token } = await openLink(logOnly, linkIn(notice));
      const form = formOf(page.body);
      expect((await browser.post(form.action, { ...form.fields, token, password: 'lou password 1', password2: 'lou password 1' })).body).toContain('Your account is ready');
    } finally {
      await logOnly.close();
    }
  });
});

describe.each(TEST_DATABASE_KINDS)('first-operator setup link on %s', (kind) => {
  it('is printed while no operator exists, makes one operator with an authenticator, and works once', async () => {
    const server = await startIdentityServer(kind);
    try {
      const rp = await discoverRelyingParty(server.identity.issuer, server.ca, server.identity.embeddedClientCredentials(), server.publicUrl);
      // What `qrlog serve` prints on start while the service has no operator.
      const notice = await server.identity.setupLinkNotice();
      expect(notice).toMatch(/^no platform operator yet: set one up at https:\/\/\S+\/account\/setup#\S+ \(works once, until \S+; `qrlog operators setup-link` prints a new one\)$/);
      const first = { link: linkIn(notice!) };
      const until = Date.parse(/until (\S+);/.exec(notice!)![1]!);
      expect(until - Date.now()).toBeGreaterThan(23 * 3600_000);
      const { browser, page, token } = await openLink(server, first.link);
      let form = formOf(page.body);
      const enrol = await browser.post(form.action, { ...form.fields, token, email: `Root-${kind}@Example.com`, password: 'operator password', password2: 'operator password' });
      expect(enrol.body).toContain('Set up your authenticator app');
      const secret = secretOf(enrol.body);
      form = formOf(enrol.body);
      expect((await browser.post(form.action, { ...form.fields, code: codeFor(secret) })).body).toContain('Authenticator app ready');

      const operator = await server.users.findByEmail(`root-${kind}@example.com`);
      expect(operator).toMatchObject({ operator: true, status: 'active', orgId: null });
      expect(await server.identity.setupLinkNotice()).toBeNull();
      const signedIn = await signIn(server, rp, `root-${kind}@example.com`, 'operator password', secret, 1);
      expect(signedIn.ok && signedIn.tokens.claims()!.sub).toBe(operator!.id);

      // Used: the same link makes nobody else.
      const again = await openLink(server, first.link);
      form = formOf(again.page.body);
      const reuse = await again.browser.post(form.action, { ...form.fields, token: again.token, email: `intruder-${kind}@example.com`, password: 'intruder password', password2: 'intruder password' });
      expect(errorOf(reuse.body)).toContain('does not work any more');
      expect(await server.users.findByEmail(`intruder-${kind}@example.com`)).toBeUndefined();
      const audit = await server.audit.list({ limit: 100 });
      expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(['operator.setup-link-issued', 'operator.setup-link-used', 'account.totp-enrolled']));
    } finally {
      await server.close();
    }
  });

  it('is printed afresh by `qrlog operators setup-link`, for the host operator', async () => {
    const server = await startIdentityServer(kind);
    try {
      let out = '';
      let err = '';
      const env: NodeJS.ProcessEnv = {
        DATABASE_URL: server.test.config.databaseUrl,
        QRLOG_DB_SCHEMA: server.test.config.databaseSchema,
        QRLOG_PUBLIC_URL: server.publicUrl,
      };
      const code = await serverCommands['operators setup-link']!(['--data-dir', server.test.dir], { out: (s) => (out += s), err: (s) => (err += s), env });
      expect(err).toBe('');
      expect(code).toBe(0);
      const printed = JSON.parse(out) as { link: string; expiresAt: string };
      expect(printed.link.startsWith(`${server.publicUrl}/account/setup#`)).toBe(true);
      const { browser, page, token } = await openLink(server, printed.link);
      const form = formOf(page.body);
      const enrol = await browser.post(form.action, { ...form.fields, token, email: `cli-${kind}@example.com`, password: 'operator password', password2: 'operator password' });
      expect(enrol.body).toContain('Set up your authenticator app');
      const audit = await server.audit.list({ limit: 20 });
      expect(audit.some((r) => r.action === 'operator.setup-link-issued' && r.actor.kind === 'operator-cli')).toBe(true);

      const bad = await serverCommands['operators setup-link']!(['--data-dir', server.test.dir, '--public-url', 'http://plain.example'], { out: () => undefined, err: (s) => (err += s), env });
      expect(bad).toBe(2);
      expect(err).toContain('--public-url must be https://host[:port]');
    } finally {
      await server.close();
    }
  });
});
