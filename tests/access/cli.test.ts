import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serverCommands, type CommandIo } from '../../packages/server/src/commands/server-commands.ts';
import { openTestServices } from '../../packages/server/src/testing/test-services.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../packages/server/src/testing/test-database.ts';

interface Run {
  code: number;
  out: string;
  err: string;
}

describe.each(TEST_DATABASE_KINDS)('operator commands for tenants on %s', (kind) => {
  let t: TestDatabase;
  let env: NodeJS.ProcessEnv;

  const run = async (name: string, argv: string[]): Promise<Run> => {
    const r = { out: '', err: '' };
    const io: CommandIo = { out: (s) => { r.out += s; }, err: (s) => { r.err += s; }, env };
    const command = serverCommands[name];
    if (!command) throw new Error(`no command ${name}`);
    return { code: await command([...argv, '--data-dir', t.dir], io), ...r };
  };
  const json = (r: Run) => JSON.parse(r.out) as Record<string, unknown>;

  const provision = async (n: number): Promise<string[]> => {
    const out = join(t.dir, `keys-${String(Math.random()).slice(2)}.json`);
    const r = await run('loggers provision', ['--count', String(n), '--out', out]);
    expect(r.code).toBe(0);
    return (JSON.parse(readFileSync(out, 'utf8')) as { serial: string }[]).map((k) => k.serial);
  };

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    env = t.config.databaseUrl ? { DATABASE_URL: t.config.databaseUrl, QRLOG_DB_SCHEMA: t.config.databaseSchema } : {};
    // A deployment: the service has created its database (operator commands refuse a data directory without one).
    await (await openTestServices(t)).close();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('writes each logger\u2019s claim code into its key file for the label; the operator\u2019s claim needs none and spends it', async () => {
    const out = join(t.dir, 'labels.json');
    const r = await run('loggers provision', ['--count', '2', '--out', out]);
    expect(r.code).toBe(0);
    const files = JSON.parse(readFileSync(out, 'utf8')) as { serial: string; claimCode: string }[];
    for (const f of files) expect(f.claimCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(r.out).not.toContain(files[0]!.claimCode);
    const org = json(await run('orgs create', ['--name', 'Label Co']));
    expect((await run('loggers claim', ['--org', String(org.id), '--serial', files[0]!.serial])).code).toBe(0);
    const services = await openTestServices(t);
    try {
      const codes = await services.database.db.selectFrom('logger_claim_codes').select(['serial', 'used_at']).orderBy('serial').execute();
      expect(codes.find((c) => c.serial === files[0]!.serial)?.used_at).not.toBeNull();
      expect(codes.find((c) => c.serial === files[1]!.serial)?.used_at).toBeNull();
      const audit = await services.tenancy.audit.list({ orgId: String(org.id), limit: 10 });
      expect(audit.find((a) => a.action === 'logger.claimed')?.detail).toMatchObject({ proof: 'operator' });
    } finally {
      await services.close();
    }
  });

  it('creates organizations, claims loggers into them once, and makes API keys whose secret is printed once', async () => {
    const acme = await run('orgs create', ['--name', 'Acme Cold Chain']);
    expect(acme.code).toBe(0);
    const org = json(acme);
    expect(org).toMatchObject({ name: 'Acme Cold Chain', operatorAccess: false });
    expect(org.id).toMatch(/^org_[0-9a-z]{24}$/);
    expect(org.defaultTeamId).toMatch(/^team_/);
    const other = json(await run('orgs create', ['--name', 'Other']));

    const [serial, second] = await provision(2);
    const claimed = await run('loggers claim', ['--org', String(org.id), '--serial', serial ?? '']);
    expect(claimed.code).toBe(0);
    expect(json(claimed)).toMatchObject({ serial, orgId: org.id, teamId: org.defaultTeamId });

    // Claimed already: refused, by either organization, without saying whose it is.
    for (const by of [org.id, other.id]) {
      const again = await run('loggers claim', ['--org', String(by), '--serial', serial ?? '']);
      expect(again.code).toBe(1);
      expect(again.err).toContain('claimed already');
      expect(again.err).not.toContain(String(org.id));
      expect(again.err).not.toContain('Acme');
    }
    // Into another organization's team: no such team (in this organization).
    const foreign = await run('loggers claim', ['--org', String(other.id), '--serial', second ?? '', '--team', String(org.defaultTeamId)]);
    expect(foreign).toMatchObject({ code: 1 });
    expect(foreign.err).toContain('no such team');
    expect((await run('loggers claim', ['--org', String(org.id), '--serial', 'NOSUCH1'])).err).toContain('no such logger');
    expect((await run('loggers claim', ['--org', 'acme', '--serial', serial ?? ''])).code).toBe(2);

    const key = await run('api-keys create', ['--org', String(org.id), '--scope', 'read', '--name', 'dock scanner']);
    expect(key.code).toBe(0);
    const created = json(key);
    expect(created).toMatchObject({ orgId: org.id, scopes: ['read'], name: 'dock scanner' });
    expect(created.id).toMatch(/^ak_/);
    expect(typeof created.secret).toBe('string');
    expect((await run('api-keys create', ['--org', String(org.id), '--scope', 'root'])).code).toBe(2);
    expect((await run('api-keys create', ['--org', 'org_000000000000000000000000', '--scope', 'read'])).err).toContain('no such organization');

    const services = await openTestServices(t);
    try {
      // The secret works, and is stored nowhere in the clear.
      expect(await services.tenancy.apiKeys.verify(String(created.id), String(created.secret))).toMatchObject({ orgId: org.id });
      const rows = await services.tenancy.audit.list({ limit: 50 });
      expect(rows.map((r) => [r.action, r.actor.kind, r.orgId])).toEqual([
        ['api-key.created', 'operator-cli', org.id],
        ['logger.claimed', 'operator-cli', org.id],
        ['org.created', 'operator-cli', other.id],
        ['org.created', 'operator-cli', org.id],
      ]);
      expect(JSON.stringify(rows)).not.toContain(String(created.secret));
    } finally {
      await services.close();
    }
  });

  it('asks for what is missing', async () => {
    expect((await run('orgs create', [])).code).toBe(2);
    expect((await run('loggers claim', ['--serial', 'AB12'])).code).toBe(2);
    expect((await run('api-keys create', ['--scope', 'read'])).code).toBe(2);
  });
});
