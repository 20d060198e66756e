import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromKeyFile, toKeyFile } from '@qrlog/link';
import { coldChainTrip, Logger } from '@qrlog/simulator';
import type { Services } from '../app/open-services.ts';
import { AppError } from '../common/app-error.ts';
import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, publicUrlOf, usageError, type CommandIo } from './command-io.ts';
import { FirstSignInInvitations } from './first-sign-in.ts';

const USAGE = `qrlog demo --data-dir DIR [--public-url https://HOST[:PORT]] [--admin-email E]
  The shortest way to a chart: makes an organization "Demo" with its admin (default
  demo-admin@example.com), registers one simulated logger on a cold-chain trip (with a door-open
  excursion), claims it for the organization and stores the last three days of its readings
  through the ingestion service, as scans of its links would. Then prints, for people, the link
  that sets the admin's password and the address of the logger's chart.
  Run it again and it adds nothing twice: the same organization and logger, the readings recorded
  since (the logger's key and state are kept in DIR/demo/). Works while \`qrlog serve\` runs on the
  same data directory, and before.`;

const DEMO_ORG = 'Demo';
const DEFAULT_ADMIN = 'demo-admin@example.com';
const HISTORY_SECONDS = 3 * 86_400;
/** The demo logger is "scanned" every 8 hours of its history: each scan brings the readings since the last. */
const SCAN_EVERY_SECONDS = 8 * 3600;
const CLI = { actor: { kind: 'operator-cli' as const } };

/** What the command keeps between runs (no secret: the logger's key is in its own 0600 file beside it). */
interface DemoState {
  orgId: string;
  adminEmail: string;
  serial: string;
}

export const demo = command('demo', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, 'public-url': { type: 'string' }, 'admin-email': { type: 'string' } });
  const adminEmail = (v['admin-email'] ?? DEFAULT_ADMIN).trim();
  if (!/^[^@\s]+@[^@\s]+$/.test(adminEmail)) throw usageError('--admin-email must be an e-mail address');
  const publicUrl = publicUrlOf(v['public-url'] ?? io.env.QRLOG_PUBLIC_URL, io.env.QRLOG_PORT);
  const dataDir = dataDirOf(v, io);
  const demoDir = join(dataDir, 'demo');
  const services = await openCommandServices(dataDir, io, 'service', true);
  try {
    const saved = readState(join(demoDir, 'demo.json'));
    const orgId = await demoOrganization(services, saved);
    const signInLine = await demoAdmin(services, io, publicUrl, orgId, adminEmail);
    const serial = saved?.orgId === orgId && existsSync(keyPath(demoDir, saved.serial)) ? saved.serial : await newDemoLogger(services, demoDir, orgId);
    writeState(demoDir, { orgId, adminEmail, serial });
    const stored = await recordReadings(services, demoDir, serial, publicUrl);
    io.out(
      `Demo organization "${DEMO_ORG}" (admin ${adminEmail}) with the simulated logger ${serial}: ${stored.toLocaleString('en')} new readings stored.\n` +
        `${signInLine}\n` +
        `Then open ${publicUrl}/app/loggers/${serial} to see its chart (the service must be running: npm start).\n`,
    );
    return 0;
  } finally {
    await services.close();
  }
});

/** The organization of an earlier run, if it still exists; otherwise a new one. */
async function demoOrganization(services: Services, saved: DemoState | undefined): Promise<string> {
  if (saved !== undefined && (await services.tenancy.queries.organization(saved.orgId)) !== undefined) return saved.orgId;
  const { organization } = await services.tenancy.tenancy.createOrganization(DEMO_ORG, CLI);
  return organization.id;
}

/** The admin, invited on the first run; the line that tells the person how to get in. */
async function demoAdmin(services: Services, io: CommandIo, publicUrl: string, orgId: string, email: string): Promise<string> {
  const invitations = new FirstSignInInvitations(services, io, publicUrl);
  const existing = await services.tenancy.users.findByEmail(email);
  if (existing === undefined) {
    await services.tenancy.tenancy.invite(orgId, { email, role: 'admin' }, CLI, invitations, null);
  } else if (existing.orgId !== orgId) {
    throw new AppError('conflict', `${email} has an account outside the demo organization: give another with --admin-email`, { reason: 'email-taken' });
  } else if (existing.status === 'invited') {
    // The earlier link may be lost (or used up by a browser that did not finish): a fresh one.
    await invitations.sendInvitation(existing);
  } else {
    return `Sign in as ${email} at ${publicUrl}/app/ (the password is set already).`;
  }
  const first = invitations.firstSignIn;
  if (first.provider === 'external') return `Sign in through ${first.issuer} as ${email}.`;
  return `Open this link to set your password: ${first.invitationLink}`;
}

/** Registers and claims one logger, and starts its simulation three days ago; its serial. */
async function newDemoLogger(services: Services, demoDir: string, orgId: string): Promise<string> {
  const [provisioned] = await services.loggers.provisionWithClaimCodes(1, 'demo');
  if (provisioned === undefined) throw new Error('no logger was provisioned');
  const { key } = provisioned;
  await services.tenancy.tenancy.claimByOperator(orgId, key.serial, undefined, CLI, 'operator-cli:');
  const start = Math.floor(Date.now() / 1000) - HISTORY_SECONDS;
  const logger = Logger.create({
    key,
    model: 'THLS',
    // Loading an hour after the logger starts, then 36 hours on the road with one door-open excursion.
    environment: coldChainTrip({ seed: 1, start: start + 3600 }),
    start,
    interval: 600,
    limits: { temperature: { low: 2, high: 8, delay: 2 } },
  });
  mkdirSync(demoDir, { recursive: true, mode: 0o700 });
  writeFileSync(keyPath(demoDir, key.serial), JSON.stringify(toKeyFile(key), null, 2) + '\n', { mode: 0o600 });
  writeFileSync(statePath(demoDir, key.serial), JSON.stringify(logger.toState()) + '\n', { mode: 0o600 });
  return key.serial;
}

/**
 * Brings the logger up to now, "scanning" it every few hours of its life: each link goes through
 * the ingestion service as a phone's scan would. The state is saved after each, so a later run
 * continues where this one ended. How many readings were new.
 */
async function recordReadings(services: Services, demoDir: string, serial: string, publicUrl: string): Promise<number> {
  const key = fromKeyFile(JSON.parse(readFileSync(keyPath(demoDir, serial), 'utf8')));
  const logger = Logger.fromState(JSON.parse(readFileSync(statePath(demoDir, serial), 'utf8')), key);
  const now = Math.floor(Date.now() / 1000);
  let stored = 0;
  while (logger.clock < now) {
    const before = logger.nextSeq;
    logger.advanceTo(Math.min(now, logger.clock + SCAN_EVERY_SECONDS));
    if (logger.nextSeq === before) continue;
    const link = logger.currentLink({ baseUrl: `${publicUrl}/`, maxVersion: 40 });
    const result = await services.ingest.ingest(link.url, { receivedAt: new Date(), sourceAddress: '127.0.0.1', userAgent: 'qrlog demo', via: 'scan' });
    if (result.status !== 'accepted') throw new AppError('internal', `the demo logger's link was refused (${result.reason})`);
    stored += result.newReadings;
    writeFileSync(statePath(demoDir, serial), JSON.stringify(logger.toState()) + '\n', { mode: 0o600 });
  }
  return stored;
}

function readState(path: string): DemoState | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as DemoState;
}

function writeState(demoDir: string, state: DemoState): void {
  mkdirSync(demoDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(demoDir, 'demo.json'), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}

function keyPath(demoDir: string, serial: string): string {
  return join(demoDir, `${serial}.json`);
}

function statePath(demoDir: string, serial: string): string {
  return join(demoDir, `${serial}.state.json`);
}
