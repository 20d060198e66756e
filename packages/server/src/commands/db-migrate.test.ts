import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, POSTGRES_TEST_URL, TEST_DATABASE_KINDS, type TestDatabase } from '../testing/test-database.ts';
import type { CommandIo } from './command-io.ts';
import { serverCommands } from './server-commands.ts';

describe.each(TEST_DATABASE_KINDS)('qrlog db migrate on %s', (kind) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(kind);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const run = async (name: string, env: NodeJS.ProcessEnv) => {
    const r = { out: '', err: '' };
    const io: CommandIo = { out: (s) => { r.out += s; }, err: (s) => { r.err += s; }, env: { QRLOG_DATA_DIR: t.dir, ...env } };
    const code = await (serverCommands[name] ?? (() => Promise.resolve(-1)))([], io);
    return { code, ...r };
  };
  const ownerEnv = (): NodeJS.ProcessEnv => (t.config.databaseUrl ? { DATABASE_URL: t.config.databaseUrl, QRLOG_DB_SCHEMA: t.config.databaseSchema } : {});

  it('migrates as the owner and names the role the service must log in as; the service then needs no owner login', async () => {
    const r = await run('db migrate', ownerEnv());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ engine: kind, serviceRole: kind === 'postgres' ? t.serviceRole : null });
    if (kind !== 'postgres') return;

    const url = new URL(POSTGRES_TEST_URL);
    url.username = t.serviceRole ?? '';
    const serviceOnly = { DATABASE_SERVICE_URL: url.toString(), QRLOG_DB_SCHEMA: t.config.databaseSchema };
    const verify = await run('verify', serviceOnly);
    expect(verify.code).toBe(0);
    // The owner-only commands say what they need instead of running with less.
    const rebuild = await run('readings rebuild', serviceOnly);
    expect(rebuild.code).toBe(2);
    expect(rebuild.err).toContain('needs the database owner\'s rights: set DATABASE_URL');
  });
});
