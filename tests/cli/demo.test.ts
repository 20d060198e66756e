import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../packages/server/src/storage/open-database.ts';
import { qrlog, type QrlogRun } from '../support/run-qrlog.ts';
import { StoreInspector } from '../support/store-inspector.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';

const ORIGIN = 'https://demo.example:8443';

/** The serial in the printed chart address, and the printed links. */
function linksOf(run: QrlogRun): { invitation: string; chart: string; serial: string } {
  expect(run.status, run.stderr).toBe(0);
  const invitation = /^Open this link to set your password: (https:\/\/\S+)$/m.exec(run.stdout)?.[1];
  const chart = /^Then open (https:\/\/\S+)/m.exec(run.stdout)?.[1];
  expect(invitation, run.stdout).toMatch(new RegExp(`^${ORIGIN}/account/invitation#[A-Za-z0-9_-]{20,}$`));
  expect(chart, run.stdout).toMatch(new RegExp(`^${ORIGIN}/app/loggers/[0-9A-Z]{8}$`));
  return { invitation: invitation!, chart: chart!, serial: chart!.split('/').pop()! };
}

describe.each(ENGINES)('qrlog demo on %s', (engine) => {
  let store: ServerStore;
  let env: NodeJS.ProcessEnv;
  let first: QrlogRun;
  let second: QrlogRun;

  beforeAll(async () => {
    store = await createServerStore(engine);
    env = { DATABASE_URL: store.databaseUrl };
    first = qrlog(['demo', '--data-dir', store.dataDir, '--public-url', ORIGIN], { env });
    second = qrlog(['demo', '--data-dir', store.dataDir, '--public-url', ORIGIN], { env });
  }, 180_000);

  afterAll(async () => {
    await store.cleanup();
  });

  it('prints sentences with the two links, not JSON', () => {
    const { serial } = linksOf(first);
    expect(() => JSON.parse(first.stdout) as unknown).toThrow();
    expect(first.stdout).toMatch(new RegExp(`simulated logger ${serial}: [\\d,]+ new readings stored`));
    expect(first.stdout).toContain('demo-admin@example.com');
  });

  it('stores a few days of a cold-chain trip with its excursion, through the ingestion service', async () => {
    const { serial } = linksOf(first);
    const inspector = await StoreInspector.open(store);
    try {
      const readings = await inspector.readings(serial);
      const temperatures = [...readings].filter(([k]) => k.startsWith('temperature/')).map(([, v]) => v ?? NaN);
      // Three days of 10-minute readings: about 432 per channel.
      expect(temperatures.length).toBeGreaterThan(400);
      // Within the reefer's 2–8 °C most of the time, and once (the door open) well above 8 °C.
      expect(temperatures.filter((t) => t >= 2 && t <= 8).length).toBeGreaterThan(temperatures.length / 2);
      expect(Math.max(...temperatures)).toBeGreaterThan(10);
      // Each link was a scan, as a phone's would be; no reading disagreed with another.
      expect((await inspector.scans(serial)).length).toBeGreaterThan(3);
      expect(await inspector.integrityEvents(serial)).toEqual([]);
    } finally {
      await inspector.close();
    }
  });

  it('runs again without making anything twice: the same organization, admin and logger', async () => {
    const once = linksOf(first);
    const again = linksOf(second);
    expect(again.serial).toBe(once.serial);
    expect(again.chart).toBe(once.chart);
    // The admin has not set a password yet: a fresh link.
    expect(again.invitation).not.toBe(once.invitation);
    const database = await openDatabase({ dataDir: store.dataDir, databaseUrl: store.databaseUrl });
    try {
      const orgs = await database.db.selectFrom('organizations').select('id').where('name', '=', 'Demo').execute();
      expect(orgs).toHaveLength(1);
      const admins = await database.db.selectFrom('users').select('id').where('email', '=', 'demo-admin@example.com').execute();
      expect(admins).toHaveLength(1);
      const loggers = await database.db.selectFrom('loggers').select('serial').execute();
      expect(loggers.map((l) => l.serial)).toEqual([once.serial]);
      const claims = await database.db.selectFrom('logger_claims').select('serial').execute();
      expect(claims.map((c) => c.serial)).toEqual([once.serial]);
    } finally {
      await database.close();
    }
  });
});
