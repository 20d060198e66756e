import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { ApiScope } from '../../packages/server/src/core/access/principal.ts';
import { createAuthLayer, type AuthLayer } from '../../packages/server/src/auth/auth-layer.ts';
import { resolveAuthSettings } from '../../packages/server/src/auth/auth-settings.ts';
import { SESSION_COOKIE, CSRF_HEADER } from '../../packages/server/src/auth/session-cookie.ts';
import { csrfTokenFor } from '../../packages/server/src/auth/web-session-service.ts';
import { buildApp } from '../../packages/server/src/http/build-app.ts';
import { openEmbeddedIdentity } from '../../packages/server/src/identity/embedded-identity.ts';
import { loadKeyring } from '../../packages/server/src/keys/kek-config.ts';
import type { InvitationMailer } from '../../packages/server/src/core/tenancy/invitation-mailer.ts';
import type { Services } from '../../packages/server/src/app/open-services.ts';
import { openTestServices } from '../../packages/server/src/testing/test-services.ts';
import type { DirectoryUser } from '../../packages/server/src/core/tenancy/user-directory.ts';
import type { DatabaseHandle, DatabaseKind } from '../../packages/server/src/storage/database-handle.ts';
import type { UserRole } from '../../packages/server/src/storage/identity-schema.ts';
import { openDatabase } from '../../packages/server/src/storage/open-database.ts';
import { createTestDatabase, type TestDatabase } from '../../packages/server/src/testing/test-database.ts';
import { httpsRequest, type Answer } from '../../packages/server/src/testing/https-client.ts';
import { loadTlsMaterial } from '../../packages/server/src/http/tls-material.ts';

/** The service's origin in these tests (the CSRF check compares Origin with it). */
export const PUBLIC_URL = 'https://qrlog.test';
const CLI = { actor: { kind: 'operator-cli' as const } };

/** How a test request proves who it is: through the real authentication mechanisms. */
export type Credential =
  | { kind: 'anonymous' }
  /** A live web session (cookie), and the CSRF token and Origin a page of the service would send. */
  | { kind: 'session'; sessionId: string; userId: string }
  /** An access token exchanged for an API key (the service's own signed JWT). */
  | { kind: 'bearer'; token: string; keyId: string };

export interface AccessApp {
  app: FastifyInstance;
  services: Services;
  auth: AuthLayer;
  /** The database as its owner (PostgreSQL: the login's rights), to inspect rows. */
  owner: DatabaseHandle;
  invitations: { user: DirectoryUser; organizationName: string }[];
  /** An active user: a member with a role, or an operator (org null). */
  addUser(email: string, membership: { orgId: string; role: UserRole; teamIds?: string[] } | { operator: true; orgId?: null }): Promise<DirectoryUser>;
  signIn(user: DirectoryUser): Promise<Credential>;
  apiKey(orgId: string, scope: ApiScope): Promise<Credential>;
  request(credential: Credential, options: InjectOptions): Promise<LightMyRequestResponse>;
  /** With `overHttps`: the same request through a real HTTPS connection to the listening app. */
  https(credential: Credential, options: { method: string; url: string; payload?: unknown; headers?: Record<string, string> }): Promise<Answer & { json<T = unknown>(): T }>;
  close(): Promise<void>;
}

/**
 * The qrlog app with authentication, policy and the API, in process (inject), on a fresh test
 * database. The identity provider is an external one that is never contacted: sessions are
 * started the way the sign-in callback starts them, and API keys exchanged for real tokens.
 */
export async function startAccessApp(kind: DatabaseKind, options: { mailer?: InvitationMailer; logger?: boolean; overHttps?: boolean } = {}): Promise<AccessApp> {
  const t: TestDatabase = await createTestDatabase(kind);
  const services = await openTestServices(t);
  const owner = await openDatabase(t.config, 'owner');
  const identityDb = await openDatabase(t.config);
  const tenancy = services.tenancy;
  const keyring = loadKeyring(t.dir, {});
  // The embedded provider is mounted as `qrlog serve` mounts it, so its routes are in the app too.
  const identity = await openEmbeddedIdentity({
    database: identityDb,
    keyring,
    publicUrl: PUBLIC_URL,
    users: tenancy.users,
    audit: tenancy.audit,
    notice: () => undefined,
    posts: { perMinute: 0, burst: 1000 },
  });
  const auth = createAuthLayer(
    { db: owner.db, keyring, users: tenancy.users, audit: tenancy.audit, apiKeys: tenancy.apiKeys, authKeys: tenancy.authKeys },
    resolveAuthSettings({ publicUrl: PUBLIC_URL, oidcIssuer: 'https://id.invalid/', oidcClientId: 'qrlog', oidcClientSecret: 'not-used-here', oidcAudience: `${PUBLIC_URL}/api` }),
  );
  const invitations: AccessApp['invitations'] = [];
  const mailer: InvitationMailer = options.mailer ?? {
    sendInvitation(user, context) {
      invitations.push({ user, organizationName: context?.organizationName ?? '' });
      return Promise.resolve(true);
    },
    sendInvitationNotice() {
      return Promise.resolve(true);
    },
  };
  // Over HTTPS: the service's own self-signed certificate, listening on a free loopback port.
  const tls = options.overHttps === true ? await loadTlsMaterial({ dataDir: t.dir, names: ['127.0.0.1', 'localhost'] }) : undefined;
  const app = buildApp({
    services,
    tls,
    limits: { perAddress: { perMinute: 0, burst: 1000 } },
    maxBatch: 10,
    trustProxy: false,
    publicUrl: PUBLIC_URL,
    logger: options.logger === true ? { level: 'error' } : false,
    auth,
    identity,
    invitationMailer: mailer,
  });
  await app.ready();
  let port = 0;
  if (tls !== undefined) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  }
  const headersFor = (credential: Credential, extra: Record<string, string> = {}): Record<string, string> => {
    // Every caller comes from the service's own pages, as a browser says on a POST.
    const headers: Record<string, string> = { origin: PUBLIC_URL, ...extra };
    if (credential.kind === 'session') {
      headers.cookie = `${SESSION_COOKIE}=${credential.sessionId}`;
      headers[CSRF_HEADER] = csrfTokenFor(credential.sessionId);
    } else if (credential.kind === 'bearer') {
      headers.authorization = `Bearer ${credential.token}`;
    }
    return headers;
  };

  return {
    app,
    services,
    auth,
    owner,
    invitations,
    async addUser(email, membership) {
      const users = tenancy.users;
      const user =
        'operator' in membership ? await users.createOperator(email) : await users.createInvited(membership.orgId, email, membership.role);
      await users.activate(user.id);
      if (!('operator' in membership)) {
        for (const teamId of membership.teamIds ?? []) await tenancy.tenancy.addTeamMember(teamId, user.id, CLI);
      }
      return { ...user, status: 'active' };
    },
    async signIn(user) {
      const { id } = await auth.sessions.start({ userId: user.id, issuer: 'https://id.invalid/', idToken: null, sourceAddress: '127.0.0.1', userAgent: 'test' });
      return { kind: 'session', sessionId: id, userId: user.id };
    },
    async apiKey(orgId, scope) {
      const key = await tenancy.apiKeys.create({ orgId, scopes: [scope], actor: { kind: 'operator-cli' } });
      const { accessToken } = await auth.tokens.issue(key);
      return { kind: 'bearer', token: accessToken, keyId: key.id };
    },
    request(credential, request) {
      return app.inject({ ...request, headers: headersFor(credential, request.headers as Record<string, string> | undefined) });
    },
    async https(credential, request) {
      if (tls === undefined) throw new Error('startAccessApp: https() needs overHttps');
      const answer = await httpsRequest({
        port,
        ca: tls.cert,
        path: request.url,
        method: request.method,
        headers: headersFor(credential, request.headers),
        ...(request.payload === undefined ? {} : { body: JSON.stringify(request.payload) }),
      });
      return { ...answer, json: <T,>() => JSON.parse(answer.body) as T };
    },
    async close() {
      await app.close();
      await identityDb.close();
      await owner.close();
      await services.close();
      await t.cleanup();
    },
  };
}
