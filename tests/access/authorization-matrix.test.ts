import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredRoutes, type RegisteredRoute } from '../../packages/server/src/http/policy-hook.ts';
import { policyLabel } from '../../packages/server/src/core/access/policy.ts';
import { buildApp } from '../../packages/server/src/http/build-app.ts';
import { AddressThrottle } from '../../packages/server/src/identity/address-throttle.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';
import { buildWorld, type Tenant, type World } from '../support/tenant-world.ts';
import { storeAlert } from '../support/alert-fixtures.ts';

/**
 * Every route the app registers × every kind of caller × an object of the caller's own
 * organization and of another one, against the status this table expects for the route's
 * declared policy. Callers prove who they are through the real mechanisms: a web session
 * (cookie + CSRF token), an access token exchanged for an API key, or nothing. A route missing
 * from `ROUTES`, or declaring another policy than the table says, fails the suite.
 */

type Who = 'anonymous' | 'operator' | 'admin' | 'user' | 'key-read' | 'key-write' | 'key-admin';
type Side = 'own' | 'other';
type Expected = 'ok' | 401 | 403 | 404;
const WHO: readonly Who[] = ['anonymous', 'operator', 'admin', 'user', 'key-read', 'key-write', 'key-admin'];
const KEYS: readonly Who[] = ['key-read', 'key-write', 'key-admin'];
const MEMBERS: readonly Who[] = ['admin', 'user', ...KEYS];

/**
 * The expected answer per policy, written out independently of access/policy.ts. All callers
 * but the operator belong to organization A; "own" objects are A's, "other" objects B's (the
 * operator belongs to neither, and B has not granted operators access to readings).
 */
function expected(label: string, who: Who, side: Side): Expected {
  if (label === 'public') return 'ok';
  if (who === 'anonymous') return 401;
  const allowed = (own: readonly Who[], operator: 'ok' | 403 | 404): Expected => {
    if (who === 'operator') return operator === 'ok' ? 'ok' : operator;
    if (side === 'other') return 404;
    return own.includes(who) ? 'ok' : 403;
  };
  const untargeted = (ok: readonly Who[]): Expected => (ok.includes(who) ? 'ok' : 403);
  switch (label) {
    case 'notifications.preferences':
    case 'sessions.end':
      return KEYS.includes(who) ? 403 : 'ok';
    case 'self':
    case 'org.list':
    case 'loggers.list':
      return 'ok';
    case 'org.create':
    case 'platform.read':
    case 'platform.defend':
      return untargeted(['operator']);
    case 'org.read@organization':
    case 'teams.read@organization':
    case 'teams.read@team':
      return allowed(MEMBERS, 'ok');
    case 'org.update@organization':
      return allowed(['admin'], 403);
    case 'members.manage@organization':
    case 'members.manage@member':
      // Both organizations have an active admin: operators keep out of their members.
      return allowed(['admin'], 403);
    case 'teams.manage@organization':
    case 'teams.manage@team':
    case 'members.read@organization':
    case 'security.read@organization':
    case 'audit.read@organization':
      return allowed(['admin', 'key-admin'], 'ok');
    case 'logger.read@logger':
    case 'logger.export@logger':
      return allowed(MEMBERS, 404);
    case 'logger.share@logger':
      return allowed(['admin', 'key-admin'], 404);
    case 'logger.claim@organization':
      return allowed(['admin', 'key-admin'], 403);
    case 'loggers.assign@organization':
      // The user writes the tenant's logger (its team owns it) and belongs to the team named.
      return allowed(['admin', 'user', 'key-admin'], 403);
    case 'api-keys.read@organization':
      return allowed(['admin'], 'ok');
    case 'api-keys.manage@organization':
    case 'api-keys.manage@api-key':
      return allowed(['admin'], 403);
    case 'missions.list':
      return 'ok';
    case 'missions.create@team':
    case 'templates.manage@organization':
      return allowed(['admin', 'user', 'key-write', 'key-admin'], 403);
    case 'mission.read@mission':
    case 'templates.read@mission-template':
      return allowed(MEMBERS, 404);
    case 'mission.write@mission':
    case 'templates.manage@mission-template':
      return allowed(['admin', 'user', 'key-write', 'key-admin'], 404);
    case 'mission.share@mission':
      return allowed(['admin', 'key-admin'], 404);
    case 'templates.read@organization':
      return allowed(MEMBERS, 403);
    case 'alerts.list':
      return untargeted(MEMBERS);
    case 'alert.read@alert':
      return allowed(MEMBERS, 404);
    case 'alert.act@alert':
      // The user is in the team that owns the alert's logger: read-write.
      return allowed(['admin', 'user', 'key-write', 'key-admin'], 404);
    // Emergency key export: nobody in this world holds the logger-key.read grant, so no role may ask or download.
    case 'logger-key.request@logger':
      return allowed([], 404);
    case 'logger-key.read':
      return untargeted([]);
    case 'key-exports.read':
      return untargeted(['admin', 'operator']);
    case 'logger-key.decide':
      return untargeted(['operator']);
    default:
      throw new Error(`the matrix has no expectation for policy ${label}`);
  }
}

interface Sample {
  url: string;
  payload?: object;
}

interface Fixture {
  app: AccessApp;
  w: World;
}

type Prepare = (f: Fixture, t: Tenant) => Promise<Sample> | Sample;
const CLI = { actor: { kind: 'operator-cli' as const } };
const unique = () => randomBytes(4).toString('hex');
/** A mission of the tenant's default team (where its plain user is), optionally holding its logger for an hour of its own. */
let missionHour = 0;
async function missionOf({ app }: Fixture, t: Tenant, withLogger = false): Promise<{ id: string; periodId: string }> {
  const subject = { kind: 'api-key' as const, keyId: 'ak_matrix', orgId: t.orgId, scope: 'admin' as const };
  const from = new Date(Date.UTC(2030, 0, 1) + 3_600_000 * ++missionHour);
  const loggers = withLogger ? [{ serial: t.logger.serial, from, to: new Date(from.getTime() + 3_600_000) }] : [];
  const m = await app.services.missions.missions.create({ teamId: t.teamId, name: `Mission ${unique()}`, loggers }, subject, CLI);
  return { id: m.id, periodId: m.loggers[0]?.id ?? '' };
}
async function templateOf({ app }: Fixture, t: Tenant): Promise<string> {
  const subject = { kind: 'api-key' as const, keyId: 'ak_matrix', orgId: t.orgId, scope: 'admin' as const };
  return (await app.services.missions.templates.create(t.orgId, { name: `T ${unique()}`, teamId: t.teamId, rules: [] }, subject, CLI)).id;
}
/** A fresh open alert on the tenant's logger (acting on one changes it). */
const alertOf = (f: Fixture, t: Tenant) => storeAlert(f.app.owner.db, { orgId: t.orgId, teamId: t.teamId, serial: t.logger.serial });
/** What the policy answers a caller who is no one: never seen on a public route. */
const POLICY_401 = JSON.stringify({ error: { code: 'unauthorized', message: 'sign in, or send a bearer token' } });

/** Each registered route: the policy it must declare, and how to make a request that succeeds when allowed. */
const ROUTES: Record<string, { policy: string; prepare: Prepare }> = {
  // Public: the ingestion side, sign-in, the API's own description.
  'GET /healthz': { policy: 'public', prepare: () => ({ url: '/healthz' }) },
  'GET /readyz': { policy: 'public', prepare: () => ({ url: '/readyz' }) },
  'GET /metrics': { policy: 'public', prepare: () => ({ url: '/metrics' }) },
  'GET /scan/:scanId': { policy: 'public', prepare: () => ({ url: '/scan/AAAAAAAAAAAAAAAAAAAAAA' }) },
  'GET /scan-error': { policy: 'public', prepare: () => ({ url: '/scan-error' }) },
  'GET /page-look.css': { policy: 'public', prepare: () => ({ url: '/page-look.css' }) },
  'POST /api/v1/scans/:scanId/location': { policy: 'public', prepare: () => ({ url: '/api/v1/scans/AAAAAAAAAAAAAAAAAAAAAA/location', payload: { latitude: 1, longitude: 2 } }) },
  'POST /api/v1/scans': { policy: 'public', prepare: () => ({ url: '/api/v1/scans', payload: { links: ['https://qr.example/123'] } }) },
  'GET /auth/login': { policy: 'public', prepare: () => ({ url: '/auth/login' }) },
  'GET /auth/callback': { policy: 'public', prepare: () => ({ url: '/auth/callback?code=x&state=y' }) },
  'POST /auth/logout': { policy: 'public', prepare: () => ({ url: '/auth/logout' }) },
  'GET /auth/signed-out': { policy: 'public', prepare: () => ({ url: '/auth/signed-out' }) },
  'GET /auth/session': { policy: 'public', prepare: () => ({ url: '/auth/session' }) },
  'GET /api/v1/auth/jwks.json': { policy: 'public', prepare: () => ({ url: '/api/v1/auth/jwks.json' }) },
  'POST /api/v1/auth/token': {
    policy: 'public',
    prepare: async ({ app }, t) => {
      const key = await app.services.tenancy.apiKeys.create({ orgId: t.orgId, scopes: ['read'], actor: CLI.actor });
      return { url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret } };
    },
  },
  'GET /*': { policy: 'public', prepare: () => ({ url: '/no-such-page' }) },
  // The web app's page and files: public (its data comes through /api/v1, with its own policies).
  'GET /': { policy: 'public', prepare: () => ({ url: '/' }) },
  'GET /app': { policy: 'public', prepare: () => ({ url: '/app' }) },
  'GET /app/*': { policy: 'public', prepare: () => ({ url: '/app/loggers' }) },
  'GET /api/v1/openapi.json': { policy: 'public', prepare: () => ({ url: '/api/v1/openapi.json' }) },
  'GET /api/v1/docs': { policy: 'public', prepare: () => ({ url: '/api/v1/docs' }) },
  'GET /api/v1/docs/': { policy: 'public', prepare: () => ({ url: '/api/v1/docs/' }) },
  'GET /api/v1/docs/static/index.html': { policy: 'public', prepare: () => ({ url: '/api/v1/docs/static/index.html' }) },
  'GET /api/v1/docs/static/swagger-initializer.js': { policy: 'public', prepare: () => ({ url: '/api/v1/docs/static/swagger-initializer.js' }) },
  'GET /api/v1/docs/json': { policy: 'public', prepare: () => ({ url: '/api/v1/docs/json' }) },
  'GET /api/v1/docs/yaml': { policy: 'public', prepare: () => ({ url: '/api/v1/docs/yaml' }) },
  'GET /api/v1/docs/static/*': { policy: 'public', prepare: () => ({ url: '/api/v1/docs/static/swagger-ui.css' }) },
  // The embedded OpenID provider and its account pages: public, each guarded by its own flow.
  'GET /oidc/*': { policy: 'public', prepare: () => ({ url: '/oidc/.well-known/openid-configuration' }) },
  'POST /oidc/*': { policy: 'public', prepare: () => ({ url: '/oidc/token', payload: { grant_type: 'authorization_code' } }) },
  'OPTIONS /oidc/*': { policy: 'public', prepare: () => ({ url: '/oidc/token' }) },
  'GET /interaction/:uid': { policy: 'public', prepare: () => ({ url: '/interaction/no-such-interaction' }) },
  'POST /interaction/:uid/login': { policy: 'public', prepare: () => ({ url: '/interaction/no-such-interaction/login', payload: { email: 'x@example.test', password: 'x' } }) },
  'POST /interaction/:uid/code': { policy: 'public', prepare: () => ({ url: '/interaction/no-such-interaction/code', payload: { code: '123456' } }) },
  'POST /interaction/:uid/enrol': { policy: 'public', prepare: () => ({ url: '/interaction/no-such-interaction/enrol', payload: { code: '123456' } }) },
  'GET /account/reset': { policy: 'public', prepare: () => ({ url: '/account/reset' }) },
  'POST /account/reset': { policy: 'public', prepare: () => ({ url: '/account/reset', payload: { email: 'nobody@example.test' } }) },
  'GET /account/reset/confirm': { policy: 'public', prepare: () => ({ url: '/account/reset/confirm?token=nope' }) },
  'POST /account/reset/confirm': { policy: 'public', prepare: () => ({ url: '/account/reset/confirm', payload: { token: 'nope', password: 'x' } }) },
  'GET /account/invitation': { policy: 'public', prepare: () => ({ url: '/account/invitation?token=nope' }) },
  'POST /account/invitation': { policy: 'public', prepare: () => ({ url: '/account/invitation', payload: { token: 'nope', password: 'x' } }) },
  'GET /account/setup': { policy: 'public', prepare: () => ({ url: '/account/setup?token=nope' }) },
  'POST /account/setup': { policy: 'public', prepare: () => ({ url: '/account/setup', payload: { token: 'nope', password: 'x' } }) },
  'GET /account/password': { policy: 'public', prepare: () => ({ url: '/account/password' }) },
  'POST /account/password': { policy: 'public', prepare: () => ({ url: '/account/password', payload: { password: 'x' } }) },
  'GET /account/two-factor': { policy: 'public', prepare: () => ({ url: '/account/two-factor' }) },
  'POST /account/two-factor': { policy: 'public', prepare: () => ({ url: '/account/two-factor', payload: { code: '123456' } }) },
  'POST /account/two-factor/confirm': { policy: 'public', prepare: () => ({ url: '/account/two-factor/confirm', payload: { code: '123456' } }) },

  // Who one is; lists filtered by what one may see.
  'GET /api/v1/me': { policy: 'self', prepare: () => ({ url: '/api/v1/me' }) },
  // Sign out everywhere ends the caller's sessions: checked with callers of its own (below), so the matrix keeps its sessions.
  'POST /api/v1/me/sessions/revoke': { policy: 'sessions.end', prepare: () => ({ url: '/api/v1/me/sessions/revoke', payload: { confirm: true } }) },
  'GET /api/v1/me/notification-preferences': { policy: 'notifications.preferences', prepare: () => ({ url: '/api/v1/me/notification-preferences' }) },
  'PUT /api/v1/me/notification-preferences': {
    policy: 'notifications.preferences',
    prepare: () => ({ url: '/api/v1/me/notification-preferences', payload: { severities: ['critical'], delivery: 'digest', unsubscribed: false } }),
  },
  // Notification mails' unsubscribe links: the token is the credential.
  'GET /notifications/unsubscribe/:token': { policy: 'public', prepare: () => ({ url: '/notifications/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }) },
  'POST /notifications/unsubscribe/:token': { policy: 'public', prepare: () => ({ url: '/notifications/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }) },
  'GET /api/v1/orgs': { policy: 'org.list', prepare: () => ({ url: '/api/v1/orgs' }) },
  'GET /api/v1/loggers': { policy: 'loggers.list', prepare: () => ({ url: '/api/v1/loggers' }) },
  'POST /api/v1/orgs': { policy: 'org.create', prepare: () => ({ url: '/api/v1/orgs', payload: { name: `Org ${unique()}` } }) },
  'GET /api/v1/audit-log': { policy: 'platform.read', prepare: () => ({ url: '/api/v1/audit-log' }) },
  'GET /api/v1/security-events': { policy: 'platform.read', prepare: () => ({ url: '/api/v1/security-events' }) },
  // The attack response (operators).
  'GET /api/v1/source-blocks': { policy: 'platform.read', prepare: () => ({ url: '/api/v1/source-blocks?state=recent' }) },
  'GET /api/v1/attack-summary': { policy: 'platform.read', prepare: () => ({ url: '/api/v1/attack-summary' }) },
  'GET /api/v1/sign-in-backoffs': { policy: 'platform.read', prepare: () => ({ url: '/api/v1/sign-in-backoffs' }) },
  'GET /api/v1/platform/health': { policy: 'platform.read', prepare: () => ({ url: '/api/v1/platform/health' }) },
  'POST /api/v1/source-blocks/:blockId/release': {
    policy: 'platform.defend',
    prepare: async ({ app }) => {
      // A source blocked the way a flood blocks it: forged links past the threshold.
      const source = `10.${String(randomBytes(1)[0])}.${String(randomBytes(1)[0])}.${String(randomBytes(1)[0])}`;
      const { blocks } = app.services.defense;
      for (let i = 0; i <= blocks.settings.threshold; i++) await blocks.noteForgedLink(source);
      const block = (await blocks.active()).find((b) => b.source === source);
      if (block === undefined) throw new Error('no block made');
      return { url: `/api/v1/source-blocks/${String(block.id)}/release`, payload: { comment: 'matrix' } };
    },
  },
  'POST /api/v1/sign-in-backoffs/release': {
    policy: 'platform.defend',
    prepare: ({ app }) => {
      // A sign-in throttle with one source backing off after its first failure.
      const throttle = new AddressThrottle({ freeFailures: 0 });
      throttle.recordFailure('192.0.2.7');
      app.services.defense.signIn.attach({ backoffs: () => throttle.backoffs(), release: (source) => throttle.release(source) });
      return { url: '/api/v1/sign-in-backoffs/release', payload: { source: '192.0.2.7', comment: 'matrix' } };
    },
  },

  // Organizations, teams, members.
  'GET /api/v1/orgs/:orgId': { policy: 'org.read@organization', prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}` }) },
  'GET /api/v1/orgs/:orgId/anomalies': { policy: 'org.read@organization', prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}/anomalies` }) },
  'PATCH /api/v1/orgs/:orgId': { policy: 'org.update@organization', prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}`, payload: { name: t.name } }) },
  'GET /api/v1/orgs/:orgId/teams': { policy: 'teams.read@organization', prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}/teams` }) },
  'POST /api/v1/orgs/:orgId/teams': { policy: 'teams.manage@organization', prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}/teams`, payload: { name: `team ${unique()}` } }) },
  'GET /api/v1/teams/:teamId': { policy: 'teams.read@team', prepare: (_f, t) => ({ url: `/api/v1/teams/${t.teamId}` }) },
  'PUT /api/v1/teams/:teamId/members/:userId': { policy: 'teams.manage@team', prepare: (_f, t) => ({ url: `/api/v1/teams/${t.otherTeamId}/members/${t.admin.id}` }) },
  'DELETE /api/v1/teams/:teamId/members/:userId': {
    policy: 'teams.manage@team',
    prepare: async ({ app }, t) => {
      const u = await app.addUser(`m-${unique()}@${t.name.toLowerCase()}.test`, { orgId: t.orgId, role: 'user', teamIds: [t.otherTeamId] });
      return { url: `/api/v1/teams/${t.otherTeamId}/members/${u.id}` };
    },
  },
  'GET /api/v1/orgs/:orgId/members': { policy: 'members.read@organization', prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}/members` }) },
  'POST /api/v1/orgs/:orgId/members': {
    policy: 'members.manage@organization',
    prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}/members`, payload: { email: `new-${unique()}@example.test`, role: 'user' } }),
  },
  'PATCH /api/v1/members/:userId': {
    policy: 'members.manage@member',
    prepare: async ({ app }, t) => {
      const u = await app.addUser(`r-${unique()}@${t.name.toLowerCase()}.test`, { orgId: t.orgId, role: 'user' });
      return { url: `/api/v1/members/${u.id}`, payload: { role: 'admin' } };
    },
  },
  'POST /api/v1/members/:userId/invitation': {
    policy: 'members.manage@member',
    prepare: async ({ app }, t) => ({ url: `/api/v1/members/${(await app.services.tenancy.users.createInvited(t.orgId, `i-${unique()}@${t.name.toLowerCase()}.test`, 'user')).id}/invitation` }),
  },
  'DELETE /api/v1/members/:userId': {
    policy: 'members.manage@member',
    prepare: async ({ app }, t) => {
      const u = await app.addUser(`d-${unique()}@${t.name.toLowerCase()}.test`, { orgId: t.orgId, role: 'user' });
      return { url: `/api/v1/members/${u.id}` };
    },
  },

  // Loggers and readings (the "own" logger is owned by the team the org user is in).
  'GET /api/v1/loggers/:serial': { policy: 'logger.read@logger', prepare: (_f, t) => ({ url: `/api/v1/loggers/${t.logger.serial}` }) },
  'GET /api/v1/loggers/:serial/coverage': { policy: 'logger.read@logger', prepare: (_f, t) => ({ url: `/api/v1/loggers/${t.logger.serial}/coverage` }) },
  'GET /api/v1/loggers/:serial/scans': { policy: 'logger.read@logger', prepare: (_f, t) => ({ url: `/api/v1/loggers/${t.logger.serial}/scans` }) },
  'GET /api/v1/loggers/:serial/anomalies': { policy: 'logger.read@logger', prepare: (_f, t) => ({ url: `/api/v1/loggers/${t.logger.serial}/anomalies` }) },
  'GET /api/v1/loggers/:serial/readings': { policy: 'logger.read@logger', prepare: (_f, t) => ({ url: `/api/v1/loggers/${t.logger.serial}/readings?channel=temperature` }) },
  'GET /api/v1/loggers/:serial/readings/overview': {
    policy: 'logger.read@logger',
    prepare: (_f, t) => ({ url: `/api/v1/loggers/${t.logger.serial}/readings/overview?channel=humidity&points=10` }),
  },
  'GET /api/v1/loggers/:serial/export': { policy: 'logger.export@logger', prepare: (_f, t) => ({ url: `/api/v1/loggers/${t.logger.serial}/export` }) },
  'GET /api/v1/loggers/:serial/report': { policy: 'logger.export@logger', prepare: (_f, t) => ({ url: `/api/v1/loggers/${t.logger.serial}/report?format=csv` }) },
  'POST /api/v1/orgs/:orgId/claims': {
    policy: 'logger.claim@organization',
    prepare: async ({ app }, t) => {
      const [logger] = await app.services.loggers.provisionWithClaimCodes(1, null);
      return { url: `/api/v1/orgs/${t.orgId}/claims`, payload: { serial: logger?.key.serial, claimCode: logger?.claimCode } };
    },
  },
  // Into the team that owns it already: allowed callers pass, and the world stays as it is.
  'POST /api/v1/orgs/:orgId/loggers/assign-team': {
    policy: 'loggers.assign@organization',
    prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}/loggers/assign-team`, payload: { serials: [t.logger.serial], teamId: t.teamId } }),
  },
  'PUT /api/v1/loggers/:serial/shares/:teamId': {
    policy: 'logger.share@logger',
    prepare: (_f, t) => ({ url: `/api/v1/loggers/${t.logger.serial}/shares/${t.otherTeamId}`, payload: { access: 'read' } }),
  },
  'DELETE /api/v1/loggers/:serial/shares/:teamId': {
    policy: 'logger.share@logger',
    prepare: async ({ app }, t) => {
      await app.services.tenancy.tenancy.putShare(t.logger.serial, t.otherTeamId, 'read', CLI);
      return { url: `/api/v1/loggers/${t.logger.serial}/shares/${t.otherTeamId}` };
    },
  },

  // Alerts (the tenant's logger's).
  'GET /api/v1/alerts': { policy: 'alerts.list', prepare: () => ({ url: '/api/v1/alerts?severity=critical' }) },
  'GET /api/v1/alerts/:alertId': { policy: 'alert.read@alert', prepare: async (f, t) => ({ url: `/api/v1/alerts/${await alertOf(f, t)}` }) },
  'POST /api/v1/alerts/:alertId/acknowledge': { policy: 'alert.act@alert', prepare: async (f, t) => ({ url: `/api/v1/alerts/${await alertOf(f, t)}/acknowledge`, payload: { comment: 'seen' } }) },
  'POST /api/v1/alerts/:alertId/comments': { policy: 'alert.act@alert', prepare: async (f, t) => ({ url: `/api/v1/alerts/${await alertOf(f, t)}/comments`, payload: { body: 'a note' } }) },
  'POST /api/v1/alerts/:alertId/close': { policy: 'alert.act@alert', prepare: async (f, t) => ({ url: `/api/v1/alerts/${await alertOf(f, t)}/close`, payload: { comment: 'fine' } }) },

  // Logs and API keys.
  'GET /api/v1/orgs/:orgId/audit-log': { policy: 'audit.read@organization', prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}/audit-log` }) },
  'GET /api/v1/orgs/:orgId/security-events': { policy: 'security.read@organization', prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}/security-events` }) },
  'GET /api/v1/orgs/:orgId/api-keys': { policy: 'api-keys.read@organization', prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}/api-keys` }) },
  'POST /api/v1/orgs/:orgId/api-keys': { policy: 'api-keys.manage@organization', prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}/api-keys`, payload: { scope: 'read' } }) },
  // Missions, their templates, shares and public links (the "own" mission belongs to the plain user's team).
  'GET /consignee/:token': {
    policy: 'public',
    prepare: async (f, t) => {
      const { token } = await f.app.services.missions.publicLinks.create((await missionOf(f, t)).id, {}, CLI);
      return { url: `/consignee/${token}` };
    },
  },
  'GET /api/v1/missions': { policy: 'missions.list', prepare: () => ({ url: '/api/v1/missions' }) },
  'POST /api/v1/teams/:teamId/missions': { policy: 'missions.create@team', prepare: (_f, t) => ({ url: `/api/v1/teams/${t.teamId}/missions`, payload: { name: `m ${unique()}` } }) },
  'GET /api/v1/missions/:missionId': { policy: 'mission.read@mission', prepare: async (f, t) => ({ url: `/api/v1/missions/${(await missionOf(f, t)).id}` }) },
  'GET /api/v1/missions/:missionId/report': { policy: 'mission.read@mission', prepare: async (f, t) => ({ url: `/api/v1/missions/${(await missionOf(f, t)).id}/report?format=csv` }) },
  'PATCH /api/v1/missions/:missionId': { policy: 'mission.write@mission', prepare: async (f, t) => ({ url: `/api/v1/missions/${(await missionOf(f, t)).id}`, payload: { origin: 'Dock 1' } }) },
  'POST /api/v1/missions/:missionId/status': { policy: 'mission.write@mission', prepare: async (f, t) => ({ url: `/api/v1/missions/${(await missionOf(f, t)).id}/status`, payload: { status: 'in-transit' } }) },
  'POST /api/v1/missions/:missionId/loggers': {
    policy: 'mission.write@mission',
    prepare: async (f, t) => {
      const from = new Date(Date.UTC(2031, 0, 1) + 3_600_000 * ++missionHour);
      return { url: `/api/v1/missions/${(await missionOf(f, t)).id}/loggers`, payload: { serial: t.logger.serial, from: from.toISOString(), to: new Date(from.getTime() + 60_000).toISOString() } };
    },
  },
  'DELETE /api/v1/missions/:missionId/loggers/:periodId': {
    policy: 'mission.write@mission',
    prepare: async (f, t) => {
      const m = await missionOf(f, t, true);
      return { url: `/api/v1/missions/${m.id}/loggers/${m.periodId}` };
    },
  },
  'PUT /api/v1/missions/:missionId/shares/:teamId': { policy: 'mission.share@mission', prepare: async (f, t) => ({ url: `/api/v1/missions/${(await missionOf(f, t)).id}/shares/${t.otherTeamId}`, payload: { access: 'read' } }) },
  'DELETE /api/v1/missions/:missionId/shares/:teamId': {
    policy: 'mission.share@mission',
    prepare: async (f, t) => {
      const { id } = await missionOf(f, t);
      await f.app.services.missions.missions.putShare(id, t.otherTeamId, 'read', CLI);
      return { url: `/api/v1/missions/${id}/shares/${t.otherTeamId}` };
    },
  },
  'POST /api/v1/missions/:missionId/public-links': { policy: 'mission.write@mission', prepare: async (f, t) => ({ url: `/api/v1/missions/${(await missionOf(f, t)).id}/public-links`, payload: {} }) },
  'GET /api/v1/missions/:missionId/public-links': { policy: 'mission.read@mission', prepare: async (f, t) => ({ url: `/api/v1/missions/${(await missionOf(f, t)).id}/public-links` }) },
  'DELETE /api/v1/missions/:missionId/public-links/:linkId': {
    policy: 'mission.write@mission',
    prepare: async (f, t) => {
      const { id } = await missionOf(f, t);
      const { link } = await f.app.services.missions.publicLinks.create(id, {}, CLI);
      return { url: `/api/v1/missions/${id}/public-links/${link.id}` };
    },
  },
  'POST /api/v1/orgs/:orgId/mission-templates': { policy: 'templates.manage@organization', prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}/mission-templates`, payload: { name: 'T', teamId: t.teamId, rules: [] } }) },
  'GET /api/v1/orgs/:orgId/mission-templates': { policy: 'templates.read@organization', prepare: (_f, t) => ({ url: `/api/v1/orgs/${t.orgId}/mission-templates` }) },
  'GET /api/v1/mission-templates/:templateId': { policy: 'templates.read@mission-template', prepare: async (f, t) => ({ url: `/api/v1/mission-templates/${await templateOf(f, t)}` }) },
  'PATCH /api/v1/mission-templates/:templateId': { policy: 'templates.manage@mission-template', prepare: async (f, t) => ({ url: `/api/v1/mission-templates/${await templateOf(f, t)}`, payload: { name: 'Renamed' } }) },
  'DELETE /api/v1/mission-templates/:templateId': { policy: 'templates.manage@mission-template', prepare: async (f, t) => ({ url: `/api/v1/mission-templates/${await templateOf(f, t)}` }) },
  'DELETE /api/v1/api-keys/:keyId': {
    policy: 'api-keys.manage@api-key',
    prepare: async ({ app }, t) => {
      const key = await app.services.tenancy.apiKeys.create({ orgId: t.orgId, scopes: ['read'], actor: CLI.actor });
      return { url: `/api/v1/api-keys/${key.id}` };
    },
  },
};

/** A pending key export request of organization A (whatever the side: only A's admin and the operator may see any). */
async function pendingExport({ app, w }: Fixture): Promise<string> {
  const x = await app.services.tenancy.keyExports.request({ orgId: w.a.orgId, serial: w.a.logger.serial, reason: 'matrix sample', userId: w.a.admin.id, sourceAddress: null });
  return x.id;
}
Object.assign(ROUTES, {
  'POST /api/v1/loggers/:serial/key-exports': {
    policy: 'logger-key.request@logger',
    prepare: (_f: Fixture, t: Tenant) => ({ url: `/api/v1/loggers/${t.logger.serial}/key-exports`, payload: { reason: 'the matrix asks for it' } }),
  },
  'GET /api/v1/key-exports': { policy: 'key-exports.read', prepare: () => ({ url: '/api/v1/key-exports' }) },
  'GET /api/v1/key-exports/:exportId': { policy: 'key-exports.read', prepare: async (f: Fixture) => ({ url: `/api/v1/key-exports/${await pendingExport(f)}` }) },
  'POST /api/v1/key-exports/:exportId/approve': { policy: 'logger-key.decide', prepare: async (f: Fixture) => ({ url: `/api/v1/key-exports/${await pendingExport(f)}/approve`, payload: {} }) },
  'POST /api/v1/key-exports/:exportId/refuse': {
    policy: 'logger-key.decide',
    prepare: async (f: Fixture) => ({ url: `/api/v1/key-exports/${await pendingExport(f)}/refuse`, payload: { comment: 'not needed' } }),
  },
  'GET /key-exports': { policy: 'key-exports.read', prepare: () => ({ url: '/key-exports' }) },
  'GET /key-exports/:exportId/download': { policy: 'logger-key.read', prepare: async (f: Fixture) => ({ url: `/key-exports/${await pendingExport(f)}/download` }) },
  'POST /api/v1/key-exports/:exportId/download': { policy: 'logger-key.read', prepare: async (f: Fixture) => ({ url: `/api/v1/key-exports/${await pendingExport(f)}/download`, payload: {} }) },
} satisfies Record<string, { policy: string; prepare: Prepare }>);

/** HEAD routes answer as their GET. */
function routeKey(r: RegisteredRoute): string {
  return `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url}`;
}

describe('a route without a declared policy', () => {
  const bare = () =>
    buildApp({ services: { ingest: { ingest: () => Promise.reject(new Error('unused')) }, scans: { attachLocation: () => Promise.resolve('not-found'), get: () => Promise.resolve(undefined) }, securityEvents: { record: () => Promise.resolve() }, readiness: { check: () => Promise.resolve(true) } }, limits: { perAddress: { perMinute: 0, burst: 1 } }, maxBatch: 1, trustProxy: false, logger: false });

  it('cannot be registered, at the root or in a plugin', async () => {
    const app = bare();
    expect(() => app.get('/api/v1/forgotten', () => Promise.resolve({}))).toThrow(/GET \/api\/v1\/forgotten has no policy/);
    expect(() => app.get('/api/v1/typo', { config: { policy: { action: 'logger.reed' as 'logger.read' } } }, () => Promise.resolve({}))).toThrow(/unknown policy action/);
    await app.close();
    const withPlugin = bare();
    void withPlugin.register(async (scope) => {
      await Promise.resolve(); // as a plugin that loads something first
      scope.post('/api/v1/plugin-route', () => Promise.resolve({}));
    });
    await expect(withPlugin.ready()).rejects.toThrow(/plugin-route has no policy/);
  });
});

describe.each(TEST_DATABASE_KINDS)('the authorization matrix on %s', (kind) => {
  let app: AccessApp;
  let w: World;
  let credentials: Record<Who, Credential>;

  beforeAll(async () => {
    app = await startAccessApp(kind);
    w = await buildWorld(app);
    credentials = {
      anonymous: w.as.anonymous,
      operator: w.as.operator,
      admin: w.as.adminA,
      user: w.as.userA,
      'key-read': w.as.keyReadA,
      'key-write': w.as.keyWriteA,
      'key-admin': w.as.keyAdminA,
    };
  });
  afterAll(async () => {
    await app.close();
  });

  it('has an expectation for every registered route, and each route declares the policy the table says', () => {
    const routes = registeredRoutes(app.app);
    expect(routes.length).toBeGreaterThan(40);
    const missing = [...new Set(routes.map(routeKey))].filter((k) => !(k in ROUTES));
    expect(missing, 'routes missing from the authorization matrix').toEqual([]);
    const wrong = routes.filter((r) => ROUTES[routeKey(r)]?.policy !== policyLabel(r.policy)).map((r) => `${routeKey(r)}: ${policyLabel(r.policy)}`);
    expect(wrong, 'routes whose policy differs from the matrix').toEqual([]);
    const stale = Object.keys(ROUTES).filter((k) => !routes.some((r) => routeKey(r) === k));
    expect(stale, 'matrix rows for routes that do not exist').toEqual([]);
  });

  it('answers every route for every caller and organization as its policy says', async () => {
    const failures: string[] = [];
    const publicStatus: Record<string, number> = {};
    let checked = 0;
    for (const route of registeredRoutes(app.app)) {
      const row = ROUTES[routeKey(route)];
      if (row === undefined) continue;
      // Public routes that end or start sessions get their own callers (below), so the matrix keeps its sessions.
      if (route.url === '/auth/logout' || route.url === '/auth/callback' || route.url === '/auth/login' || route.url === '/api/v1/me/sessions/revoke') continue;
      for (const side of ['own', 'other'] as const) {
        for (const who of WHO) {
          const tenant = side === 'own' ? w.a : w.b;
          const sample = await row.prepare({ app, w }, tenant);
          const res = await app.request(credentials[who], { method: route.method, url: sample.url, ...(sample.payload === undefined ? {} : { payload: sample.payload }) });
          const want = expected(policyLabel(route.policy), who, side);
          checked++;
          if (row.policy === 'public') {
            // Public: who asks makes no difference to the answer, and the policy refuses no one.
            const anonymous = (publicStatus[`${route.method} ${sample.url}`] ??= (await app.request(w.as.anonymous, { method: route.method, url: sample.url, ...(sample.payload === undefined ? {} : { payload: sample.payload }) })).statusCode);
            if (res.statusCode !== anonymous || res.body === POLICY_401) failures.push(`${route.method} ${sample.url} as ${who}: public, but ${String(res.statusCode)} where anonymous got ${String(anonymous)}`);
            continue;
          }
          const ok = want === 'ok' ? res.statusCode >= 200 && res.statusCode < 300 : res.statusCode === want;
          if (!ok) failures.push(`${route.method} ${sample.url} as ${who} (${side}): expected ${String(want)}, got ${String(res.statusCode)} ${res.body.slice(0, 120)}`);
          if (ok && typeof want === 'number' && want !== 401 && route.method !== 'HEAD') {
            // A refusal says nothing about the object: the same body whether it exists or not
            // (pages people read answer with the one error page instead of JSON).
            if (String(res.headers['content-type']).startsWith('text/html')) expect(res.body).toContain('Something went wrong');
            else expect(res.json()).toEqual({ error: { code: want === 403 ? 'forbidden' : 'not-found', message: expect.any(String) as string } });
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(600);
    // Some 1,000 requests, each preparing its own object: longer than one test's default on a loaded machine.
  }, 180_000);

  it('lets anyone through the sign-in routes, which need no identity', async () => {
    for (const url of ['/auth/login', '/auth/callback?code=x&state=y']) {
      for (const who of ['anonymous', 'admin', 'key-read'] as const) {
        const fresh = who === 'anonymous' ? w.as.anonymous : who === 'admin' ? await app.signIn(w.a.admin) : await app.apiKey(w.a.orgId, 'read');
        const res = await app.request(fresh, { method: 'GET', url });
        expect([401, 403], `${url} as ${who}`).not.toContain(res.statusCode);
      }
    }
    const session = await app.signIn(w.a.user);
    expect([401, 403]).not.toContain((await app.request(session, { method: 'POST', url: '/auth/logout' })).statusCode);
    expect([401, 403]).not.toContain((await app.request(w.as.anonymous, { method: 'POST', url: '/auth/logout' })).statusCode);
  });

  it('lets people, not API keys, sign out everywhere', async () => {
    const revoke = { method: 'POST', url: '/api/v1/me/sessions/revoke', payload: { confirm: true } };
    expect((await app.request(w.as.anonymous, revoke)).statusCode).toBe(401);
    for (const scope of ['read', 'write', 'admin'] as const) expect((await app.request(await app.apiKey(w.a.orgId, scope), revoke)).statusCode, scope).toBe(403);
    for (const person of [w.a.admin, w.a.user]) {
      const session = await app.signIn(person);
      expect((await app.request(session, revoke)).statusCode).toBe(200);
      // The session it was sent in ended too.
      expect((await app.request(session, { method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    }
  });
});
