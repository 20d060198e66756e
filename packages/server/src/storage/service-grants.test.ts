import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../common/app-error.ts';
import type { DatabaseHandle } from './database-handle.ts';
import { openDatabase } from './open-database.ts';
import { applyServiceGrants } from './service-grants.ts';
import { createTestDatabase, POSTGRES_TEST_URL, postgresAvailable, type TestDatabase } from '../testing/test-database.ts';

/** What a test opens, closed after it; roles it makes besides the test database's own, dropped after. */
let opened: DatabaseHandle[] = [];
let extraRoles: string[] = [];

async function open(...args: Parameters<typeof openDatabase>): Promise<DatabaseHandle> {
  const handle = await openDatabase(...args);
  opened.push(handle);
  return handle;
}

async function insertLogger(handle: DatabaseHandle, serial: string): Promise<void> {
  await handle.db.insertInto('loggers').values({ serial, model: null, created_at: 1 }).execute();
}

async function dropRoles(roles: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    for (const role of roles) await client.query(`do $$ begin if exists (select 1 from pg_roles where rolname = '${role}') then drop owned by ${role}; drop role ${role}; end if; end $$`);
  } finally {
    await client.end();
  }
}

describe.runIf(postgresAvailable)('the service role\'s grants on PostgreSQL', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeEach(async () => {
    [a, b] = await Promise.all([createTestDatabase('postgres'), createTestDatabase('postgres')]);
  });
  afterEach(async () => {
    await Promise.allSettled(opened.map((h) => h.close()));
    opened = [];
    await Promise.allSettled([a.cleanup(), b.cleanup()]);
    await dropRoles(extraRoles);
    extraRoles = [];
  });

  it('gives each deployment (database and schema) a role of its own that cannot read the other\'s tables', async () => {
    const serviceA = await open(a.config);
    const serviceB = await open(b.config);
    const roleOf = async (h: DatabaseHandle) => (await sql<{ role: string }>`select current_user as role`.execute(h.db)).rows[0]?.role;
    expect(await roleOf(serviceA)).toBe(a.serviceRole);
    expect(await roleOf(serviceB)).toBe(b.serviceRole);
    expect(a.serviceRole).not.toBe(b.serviceRole);
    await insertLogger(serviceB, 'BB01');
    await expect(sql.raw(`select * from ${b.config.databaseSchema ?? ''}.loggers`).execute(serviceA.db)).rejects.toThrow(/permission denied/);
  });

  it('records every migration\'s grants and gives them again (applyServiceGrants), e.g. after a restore', async () => {
    const service = await open(a.config);
    const owner = await open(a.config, 'owner');
    const { rows } = await sql<{ grant_text: string }>`select grant_text from service_grants`.execute(owner.db);
    expect(rows.map((r) => r.grant_text)).toEqual(expect.arrayContaining(['select, insert on audit_log', 'select, insert, update on loggers, logger_keys']));

    // As a restore leaves it: the tables back, the role's grants gone.
    await sql.raw(`revoke all on all tables in schema ${a.config.databaseSchema ?? ''} from ${a.serviceRole ?? ''}`).execute(owner.db);
    await expect(insertLogger(service, 'AA01')).rejects.toThrow(/permission denied/);
    // A grant an old migration recorded on a table a later one dropped does not stop the others.
    await sql`insert into service_grants (grant_text) values ('select on a_table_since_dropped')`.execute(owner.db);
    await applyServiceGrants(owner.db);
    await insertLogger(service, 'AA01');
    await expect(service.db.deleteFrom('evidence').execute()).rejects.toThrow(/permission denied/);
  });

  it('grants everything to a newly named role (QRLOG_DB_SERVICE_ROLE) when opened again', async () => {
    await open(a.config);
    const renamed = `qrlog_renamed_${randomBytes(4).toString('hex')}`;
    extraRoles.push(renamed);
    const service = await open({ ...a.config, databaseServiceRole: renamed });
    expect((await sql<{ role: string }>`select current_user as role`.execute(service.db)).rows[0]?.role).toBe(renamed);
    await insertLogger(service, 'AA02');
    await service.db.insertInto('audit_log').values({ at: 1, actor_kind: 'system', actor_id: null, org_id: null, action: 'test', target_kind: null, target_id: null, source_address: null, detail: null }).execute();
    await expect(service.db.updateTable('loggers').set({ model: 'x' }).execute()).resolves.toBeDefined();
    await expect(service.db.deleteFrom('audit_log').execute()).rejects.toThrow(/permission denied/);
  });

  it('runs with the service\'s URL alone once the owner has migrated, and refuses a schema behind', async () => {
    await open(a.config);
    const url = new URL(POSTGRES_TEST_URL);
    url.username = a.serviceRole ?? '';
    const serviceOnly = { dataDir: a.dir, databaseServiceUrl: url.toString(), databaseSchema: a.config.databaseSchema };
    const service = await open(serviceOnly);
    await insertLogger(service, 'AA03');
    await expect(openDatabase(serviceOnly, 'owner')).rejects.toSatisfy((e) => isAppError(e, 'invalid-configuration'));

    const owner = await open(a.config, 'owner');
    await sql`delete from kysely_migration where name = '0012-auth'`.execute(owner.db);
    await expect(openDatabase(serviceOnly)).rejects.toThrow(/lacks 1 migration\(s\) \(0012-auth\).*qrlog db migrate/);
  });

  it('refuses to run the service as a login that could leave its grants (the owner\'s URL given as the service\'s)', async () => {
    await expect(openDatabase({ ...a.config, databaseServiceUrl: POSTGRES_TEST_URL })).rejects.toSatisfy(
      (e) => isAppError(e, 'invalid-configuration') && /SUPERUSER/.test(e.message),
    );
  });
});
