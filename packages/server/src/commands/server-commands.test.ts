import { existsSync, mkdirSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fromKeyFile, linkToJson, type LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../testing/test-database.ts';
import { makeContent, makeLink, receivedAfter, T0, type ContentOptions } from '../testing/test-links.ts';
import { openTestServices } from '../testing/test-services.ts';
import { serverCommands } from './server-commands.ts';
import type { CommandIo } from './command-io.ts';

interface Run {
  code: number;
  out: string;
  err: string;
}

describe.each(TEST_DATABASE_KINDS)('server commands on %s', (kind) => {
  let t: TestDatabase;
  let env: NodeJS.ProcessEnv;

  const run = async (name: string, argv: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> => {
    const r = { out: '', err: '' };
    const io: CommandIo = { out: (s) => { r.out += s; }, err: (s) => { r.err += s; }, env: { ...env, ...extraEnv } };
    const command = serverCommands[name];
    if (!command) throw new Error(`no command ${name}`);
    return { code: await command(argv, io), ...r };
  };
  const json = (r: Run): unknown => JSON.parse(r.out);

  const provision = async (n: number): Promise<LoggerKey[]> => {
    const out = join(t.dir, `keys-${String(Math.random()).slice(2)}.json`);
    const r = await run('loggers provision', ['--count', String(n), '--out', out]);
    expect(r.code).toBe(0);
    return (JSON.parse(readFileSync(out, 'utf8')) as unknown[]).map(fromKeyFile);
  };

  const ingest = async (key: LoggerKey, firstSeq: number, count: number, more: Partial<ContentOptions> = {}) => {
    const services = await openTestServices(t);
    try {
      const o = { firstSeq, count, humidity: true, ...more };
      await services.ingest.ingest(makeLink(key, o), { receivedAt: receivedAfter(makeContent(key, o)), sourceAddress: '::1', userAgent: null, via: 'api' });
    } finally {
      await services.close();
    }
  };

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    env = { QRLOG_DATA_DIR: t.dir, ...(t.config.databaseUrl ? { DATABASE_URL: t.config.databaseUrl, QRLOG_DB_SCHEMA: t.config.databaseSchema } : {}) };
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('provisions loggers into one manufacturing file of key files, mode 0600', async () => {
    const out = join(t.dir, 'batch.json');
    const r = await run('loggers provision', ['--count', '3', '--model', 'QT-1', '--out', out, '--data-dir', t.dir]);
    expect(r.code).toBe(0);
    const report = json(r) as { provisioned: number; serials: string[] };
    expect(report.provisioned).toBe(3);
    expect(report.serials.every((s) => /^[0-9A-Z]{8}$/.test(s))).toBe(true);
    const files = JSON.parse(readFileSync(out, 'utf8')) as unknown[];
    expect(files.map((f) => fromKeyFile(f).serial)).toEqual(report.serials);
    expect(files[0]).toMatchObject({ format: 'qrlog-key/1', keyVersion: 0, algorithm: 'AES-128-GCM-SIV' });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(r.err).toContain('created a new key-encryption key');

    const again = await run('loggers provision', ['--count', '1', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.err).toContain('never overwritten');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(files);
  });

  it('provisions one key file per logger into a directory', async () => {
    const dir = join(t.dir, 'flash') + '/';
    const r = await run('loggers provision', ['--count', '2', '--out', dir]);
    expect(r.code).toBe(0);
    const serials = (json(r) as { serials: string[] }).serials;
    expect(readdirSync(dir).sort()).toEqual(serials.map((s) => `${s}.json`).sort());
    for (const s of serials) expect(fromKeyFile(JSON.parse(readFileSync(join(dir, `${s}.json`), 'utf8'))).serial).toBe(s);
  });

  it.each([
    ['a count of 0', 'loggers provision', ['--count', '0', '--out', 'x.json'], /--count/],
    ['no --out', 'loggers provision', ['--count', '1'], /--out/],
    ['an unknown flag', 'verify', ['--serial', 'AB', '--bogus'], /bogus/],
    ['a bad serial', 'readings export', ['--serial', 'ab-1'], /--serial/],
    ['a bad time', 'readings export', ['--serial', 'AB', '--from', 'yesterday'], /--from/],
    ['a bad format', 'readings export', ['--serial', 'AB', '--format', 'xml'], /--format/],
    ['a bad KEK label', 'loggers rotate-kek', ['--to', 'no spaces'], /--to/],
  ])('refuses %s with usage, exit 2', async (_what, name, argv, message) => {
    const r = await run(name, argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('usage:');
    expect(r.out).toBe('');
  });

  it('needs a data directory', async () => {
    const r = await run('verify', [], { QRLOG_DATA_DIR: '' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('--data-dir');
  });

  it('refuses a data directory without a database instead of answering from a new empty one', async () => {
    const empty = join(t.dir, 'elsewhere');
    mkdirSync(empty);
    const r = await run('verify', ['--data-dir', empty], { DATABASE_URL: '' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('holds no qrlog database');
    expect(r.err).toContain('DATABASE_URL');
    expect(existsSync(join(empty, 'qrlog.sqlite'))).toBe(false);
  });

  it('refuses an unusable QRLOG_KEK as configuration (exit 2) without echoing it', async () => {
    await provision(1);
    const r = await run('verify', [], { QRLOG_KEK: 'not-a-key-hunter2' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('QRLOG_KEK');
    expect(r.err).not.toContain('hunter2');
  });

  it('exports readings in the shape `qrlog link open` prints, as json and csv', async () => {
    const [key] = (await provision(1)) as [LoggerKey];
    await ingest(key, 0, 100);
    await ingest(key, 50, 100);
    const r = await run('readings export', ['--serial', key.serial, '--format', 'json']);
    expect(r.code).toBe(0);
    const exported = json(r) as ReturnType<typeof linkToJson>;
    const whole = linkToJson(makeContent(key, { count: 150, humidity: true }));
    expect(exported.serial).toBe(key.serial);
    expect(exported.channels).toEqual(whole.channels.map(({ name, unit, readings }) => ({ name, unit, readings })));

    const from = whole.channels[0]?.readings[10]?.t ?? '';
    const to = whole.channels[0]?.readings[20]?.t ?? '';
    const csv = await run('readings export', ['--serial', key.serial, '--format', 'csv', '--from', from, '--to', to]);
    const lines = csv.out.trim().split('\n');
    expect(lines[0]).toBe('serial,channel,seq,time,value,status');
    expect(lines).toHaveLength(1 + 2 * 10);
    expect(lines[1]).toBe(`${key.serial},temperature,10,${from},${String(whole.channels[0]?.readings[10]?.v)},`);

    const unknown = await run('readings export', ['--serial', 'NOSUCH1']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('unknown serial NOSUCH1');
  });

  it('exports csv in time order, across channels and sessions', async () => {
    const [key] = (await provision(1)) as [LoggerKey];
    await ingest(key, 0, 100);
    // The clock was set back at a battery swap: session 2 starts while session 1's times were still running.
    await ingest(key, 0, 20, { session: 2, sessionStart: T0 + 30 * 600 + 300 });
    const csv = await run('readings export', ['--serial', key.serial, '--format', 'csv']);
    expect(csv.code).toBe(0);
    const rows = csv.out.trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(2 * 120);
    const times = rows.map((r) => Date.parse(r[3] ?? ''));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Readings of the same time in channel order.
    expect(rows.slice(0, 2).map((r) => r[1])).toEqual(['temperature', 'humidity']);
  });

  it('reports coverage, verifies, rebuilds and rotates the KEK', async () => {
    const keys = await provision(2);
    const [a] = keys as [LoggerKey];
    await ingest(a, 0, 100);
    await ingest(a, 300, 100);
    const coverage = await run('loggers coverage', ['--serial', a.serial]);
    expect(coverage.code).toBe(0);
    expect(json(coverage)).toMatchObject({
      serial: a.serial,
      channels: [
        { name: 'temperature', sessions: [{ session: 1, known: [{ from: 0, to: 99 }, { from: 300, to: 399 }], missing: [{ from: 100, to: 299 }] }] },
        { name: 'humidity' },
      ],
    });

    const verified = await run('verify', []);
    expect(verified.code).toBe(0);
    expect(json(verified)).toEqual({ ok: true, loggers: 2, links: 2, broken: [], readings: { ok: true, changed: [] } });

    const rebuilt = await run('readings rebuild', ['--serial', a.serial]);
    expect(rebuilt.code).toBe(0);
    expect(json(rebuilt)).toMatchObject({ loggers: 1, links: 2, identical: true, changed: [], integrityEventsMatch: true });

    const rotated = await run('loggers rotate-kek', ['--to', 'local-2']);
    expect(rotated.code).toBe(0);
    expect(json(rotated)).toMatchObject({ toLabel: 'local-2', createdKek: true, rewrapped: 2, failed: [] });
    expect((await run('verify', ['--serial', a.serial])).code).toBe(0);
    expect((await run('verify', ['--serial', 'NOSUCH1'])).code).toBe(1);
  });

  it('exits 1 when a chain is broken', async () => {
    const [key] = (await provision(1)) as [LoggerKey];
    await ingest(key, 0, 20);
    // Another KEK: the stored key no longer opens, so no stored link re-opens.
    const r = await run('verify', [], { QRLOG_KEK: 'ab'.repeat(32), QRLOG_KEK_LABEL: 'local-1' });
    expect(r.code).toBe(1);
    expect(json(r)).toMatchObject({ ok: false, broken: [{ serial: key.serial, problems: [{ chainIndex: 0 }] }] });
    expect(r.err).toContain('broken');
  });
});
