import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../app/open-services.ts';
import { generateCheckpointKeyFile } from '../../keys/checkpoint-key.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { makeContent, makeLink, receivedAfter, T0, temperatureAt, type ContentOptions } from '../../testing/test-links.ts';
import { openTestServices } from '../../testing/test-services.ts';

const CLI = { actor: { kind: 'operator-cli' as const } };

describe.each(TEST_DATABASE_KINDS)('reports from storage on %s', (kind) => {
  let t: TestDatabase;
  let outside: string;
  let services: Services;
  let key: LoggerKey;

  const scan = async (o: ContentOptions) => {
    const r = await services.ingest.ingest(makeLink(key, o), { receivedAt: receivedAfter(makeContent(key, o)), sourceAddress: '192.0.2.9', userAgent: null, via: 'api' });
    expect(r.status).toBe('accepted');
  };

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    outside = mkdtempSync(join(tmpdir(), 'qrlog-report-checkpoints-'));
    const keyFile = join(outside, 'checkpoint-key.pem');
    generateCheckpointKeyFile(keyFile, t.dir);
    services = await openTestServices(t, { checkpoint: { checkpointKeyFile: keyFile, checkpointDir: join(outside, 'checkpoints') } });
    key = (await services.loggers.provision(1, 'QL-T1'))[0] as LoggerKey;
    const { organization, defaultTeam } = await services.tenancy.tenancy.createOrganization('Cold Chain Ltd', CLI);
    await services.tenancy.tenancy.claimByOperator(organization.id, key.serial, defaultTeam.id, CLI, 'cli:');
    // Three links: readings 0–143, 100–243 (overlapping) and 300–349 after a gap; the last with humidity.
    await scan({ count: 144 });
    await scan({ firstSeq: 100, count: 144 });
    await scan({ firstSeq: 300, count: 50, humidity: true });
  });
  afterEach(async () => {
    await (services as Services | undefined)?.close();
    await t.cleanup();
    rmSync(outside, { recursive: true, force: true });
  });

  it('states the readings, statistics, gaps and evidence of a logger over a range', async () => {
    const reports = services.tenancy.reports;
    const range = { from: T0 + 50 * 600, to: T0 + 320 * 600 };
    const report = await reports.loggerRange({ serial: key.serial, range, timeZone: 'UTC', temperatureUnit: 'C', bands: { temperature: [{ label: 'warm', high: 22 }] } });
    expect(report.organization).toBe('Cold Chain Ltd');
    expect(report.loggers).toEqual([{ serial: key.serial, model: 'QL-T1', calibration: null, from: range.from, to: range.to }]);
    const seqs = [...Array.from({ length: 244 - 50 }, (_, i) => 50 + i), ...Array.from({ length: 20 }, (_, i) => 300 + i)];
    const values = seqs.map((seq) => temperatureAt(7, seq));
    const temperature = report.channels.find((c) => c.channel === 'temperature');
    expect(temperature?.readings.map((r) => r.value)).toEqual(values);
    expect(temperature?.statistics).toMatchObject({ readings: values.length, min: Math.min(...values), max: Math.max(...values) });
    expect(temperature?.statistics?.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
    const warm = values.filter((v) => v > 22).length;
    expect(temperature?.bands).toEqual([{ label: 'warm', low: null, high: 22, inside: (values.length - warm) * 600, below: 0, above: warm * 600 }]);
    expect(temperature?.gaps).toEqual([{ from: T0 + 243 * 600, to: T0 + 300 * 600 }]);
    // Humidity only from the third link.
    expect(report.channels.find((c) => c.channel === 'humidity')?.statistics?.readings).toBe(20);
    // Every link holds readings of the range; no checkpoint yet.
    expect(report.evidence).toEqual([{ serial: key.serial, links: 3, firstChainIndex: 0, lastChainIndex: 2, lastHash: expect.stringMatching(/^[0-9a-f]{64}$/) as string, checkpoint: null }]);

    // A range only the first link's readings fall in.
    const early = await reports.loggerRange({ serial: key.serial, range: { from: T0, to: T0 + 90 * 600 }, timeZone: 'UTC', temperatureUnit: 'C' });
    expect(early.evidence[0]).toMatchObject({ links: 1, firstChainIndex: 0, lastChainIndex: 0 });
  });

  it('names the newest signed checkpoint that covers the logger', async () => {
    const written = await services.checkpoints.create();
    const report = await services.tenancy.reports.loggerRange({ serial: key.serial, range: {}, timeZone: 'Europe/Berlin', temperatureUnit: 'F' });
    expect(report.period).toEqual({ from: T0, to: T0 + 350 * 600 });
    expect(report.evidence[0]?.checkpoint).toEqual({ issuedAt: written.checkpoint.issuedAt, keyId: written.checkpoint.keyId, rootHash: written.checkpoint.rootHash, chainLength: 3 });
    expect(report.channels[0]?.unit).toBe('°F');
  });

  it('refuses an unknown time zone and an unknown logger plainly', async () => {
    await expect(services.tenancy.reports.loggerRange({ serial: key.serial, range: {}, timeZone: 'Mars/Olympus', temperatureUnit: 'C' })).rejects.toMatchObject({ code: 'invalid-request', message: expect.stringContaining('unknown time zone') as string });
    await expect(services.tenancy.reports.loggerRange({ serial: 'NOSUCH1', range: {}, timeZone: 'UTC', temperatureUnit: 'C' })).rejects.toMatchObject({ code: 'not-found' });
  });
});
