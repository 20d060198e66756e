import type { LoggerKey } from '@qrlog/link';
import { makeContent, makeLink, receivedAfter } from '../../packages/server/src/testing/test-links.ts';
import type { DirectoryUser } from '../../packages/server/src/core/tenancy/user-directory.ts';
import type { AccessApp, Credential } from './access-app.ts';

const CLI = { actor: { kind: 'operator-cli' as const } };

/** One organization of the test world: two teams, an admin, a user in the first team, a logger each team owns. */
export interface Tenant {
  orgId: string;
  name: string;
  /** The "default" team: owns `logger`, and `user` is in it. */
  teamId: string;
  /** A second team: owns `otherLogger`; nobody is in it. */
  otherTeamId: string;
  admin: DirectoryUser;
  user: DirectoryUser;
  logger: LoggerKey;
  otherLogger: LoggerKey;
}

export interface World {
  a: Tenant;
  b: Tenant;
  operator: DirectoryUser;
  /** Provisioned, claimed by nobody. */
  unclaimed: LoggerKey[];
  /** The claim code of every logger of the world, by serial (as its label shows it). */
  claimCodes: Record<string, string>;
  as: {
    anonymous: Credential;
    operator: Credential;
    adminA: Credential;
    userA: Credential;
    adminB: Credential;
    keyReadA: Credential;
    keyWriteA: Credential;
    keyAdminA: Credential;
  };
}

/** 144 ten-minute readings of temperature and humidity, as one scan would bring them. */
export async function ingest(app: AccessApp, key: LoggerKey, firstSeq = 0, count = 144): Promise<void> {
  const o = { firstSeq, count, humidity: true };
  const r = await app.services.ingest.ingest(makeLink(key, o), { receivedAt: receivedAfter(makeContent(key, o)), sourceAddress: '192.0.2.7', userAgent: null, via: 'api' });
  if (r.status !== 'accepted') throw new Error(`ingest refused: ${r.reason}`);
}

async function tenant(app: AccessApp, name: string, keys: LoggerKey[]): Promise<Tenant> {
  const t = app.services.tenancy.tenancy;
  const { organization, defaultTeam } = await t.createOrganization(name, CLI);
  const other = await t.createTeam(organization.id, 'field', CLI);
  const slug = name.toLowerCase();
  const admin = await app.addUser(`admin@${slug}.test`, { orgId: organization.id, role: 'admin' });
  const user = await app.addUser(`user@${slug}.test`, { orgId: organization.id, role: 'user', teamIds: [defaultTeam.id] });
  const [logger, otherLogger] = keys;
  if (!logger || !otherLogger) throw new Error('two keys needed');
  await t.claimByOperator(organization.id, logger.serial, defaultTeam.id, CLI, 'cli:');
  await t.claimByOperator(organization.id, otherLogger.serial, other.id, CLI, 'cli:');
  await ingest(app, logger);
  return { orgId: organization.id, name, teamId: defaultTeam.id, otherTeamId: other.id, admin, user, logger, otherLogger };
}

/** Two organizations, an operator, and a credential for every kind of caller. */
export async function buildWorld(app: AccessApp): Promise<World> {
  const provisioned = await app.services.loggers.provisionWithClaimCodes(8, 'QL-1');
  const keys = provisioned.map((p) => p.key);
  const a = await tenant(app, 'Acme', keys.slice(0, 2));
  const b = await tenant(app, 'Brine', keys.slice(2, 4));
  const operator = await app.addUser('ops@qrlog.test', { operator: true });
  return {
    a,
    b,
    operator,
    unclaimed: keys.slice(4),
    claimCodes: Object.fromEntries(provisioned.map((p) => [p.key.serial, p.claimCode])),
    as: {
      anonymous: { kind: 'anonymous' },
      operator: await app.signIn(operator),
      adminA: await app.signIn(a.admin),
      userA: await app.signIn(a.user),
      adminB: await app.signIn(b.admin),
      keyReadA: await app.apiKey(a.orgId, 'read'),
      keyWriteA: await app.apiKey(a.orgId, 'write'),
      keyAdminA: await app.apiKey(a.orgId, 'admin'),
    },
  };
}
