import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from './database-handle.ts';
import type { Database } from './database-schema.ts';
import { openDatabase } from './open-database.ts';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../testing/test-database.ts';

/**
 * Issue 8 item 7: whatever SQL the running service sends, its own connection must not leave the
 * rights it was given. On the old code the service logged in as the owner and only ran
 * `SET ROLE`, so `RESET ROLE` gave the owner's rights back.
 */
const b = Buffer.from([1, 2, 3]);

async function seedEvidence(db: Kysely<Database>): Promise<void> {
  await db.insertInto('loggers').values({ serial: 'AB12', model: null, created_at: 1 }).execute();
  await db
    .insertInto('evidence')
    .values({ serial: 'AB12', chain_index: 0, received_at: 1, via: 'scan', source_address: '::1', prefix: '', payload: b, link_digest: b, hash: b })
    .execute();
}

describe.runIf(postgresAvailable)('the service\'s PostgreSQL login', () => {
  let t: TestDatabase;
  let service: DatabaseHandle;
  let owner: DatabaseHandle;
  beforeEach(async () => {
    t = await createTestDatabase('postgres');
    service = await openDatabase(t.config);
    owner = await openDatabase(t.config, 'owner');
    await seedEvidence(service.db);
  });
  afterEach(async () => {
    await Promise.allSettled([(service as DatabaseHandle | undefined)?.close(), (owner as DatabaseHandle | undefined)?.close()]);
    await t.cleanup();
  });

  /** Runs `statements` on one connection of the service's pool, one by one, and lists which succeeded. */
  async function onOneServiceConnection(statements: readonly string[]): Promise<string[]> {
    return service.db.connection().execute(async (c) => {
      const succeeded: string[] = [];
      for (const s of statements) {
        try {
          await sql.raw(s).execute(c);
          succeeded.push(s);
        } catch {
          // refused: what the test wants for every statement that could change evidence
        }
      }
      return succeeded;
    });
  }

  async function evidenceUnchanged(): Promise<void> {
    expect(await owner.db.selectFrom('evidence').select(['serial', 'received_at']).execute()).toEqual([{ serial: 'AB12', received_at: 1 }]);
    const { rows } = await sql<{ enabled: string }>`select tgenabled as enabled from pg_trigger where tgrelid = 'evidence'::regclass and not tgisinternal`.execute(owner.db);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.enabled === 'O')).toBe(true);
  }

  it('cannot RESET ROLE, disable the evidence triggers and rewrite evidence', async () => {
    await expect(sql.raw('reset role; alter table evidence disable trigger user; update evidence set received_at = 2').execute(service.db)).rejects.toThrow();
    const succeeded = await onOneServiceConnection([
      'reset role',
      'set session authorization default',
      'alter table evidence disable trigger user',
      'update evidence set received_at = 2',
    ]);
    expect(succeeded.filter((s) => !['reset role', 'set session authorization default'].includes(s))).toEqual([]);
    await evidenceUnchanged();
  });

  it('cannot become the owner, drop a trigger, delete or truncate evidence', async () => {
    const { rows } = await sql<{ owner: string }>`select tableowner as owner from pg_tables where tablename = 'evidence' and schemaname = current_schema()`.execute(owner.db);
    const ownerRole = rows[0]?.owner ?? 'postgres';
    const succeeded = await onOneServiceConnection([
      'reset role',
      `set role "${ownerRole}"`,
      `set session authorization "${ownerRole}"`,
      'set role postgres',
      'drop trigger evidence_append_only on evidence',
      'alter table evidence owner to current_user',
      // Without the grant option this only warns ("no privileges were granted"): no error, no effect.
      'grant update, delete, truncate on evidence to current_user',
      'delete from evidence',
      'truncate evidence cascade',
      'update evidence set received_at = 2',
    ]);
    expect(succeeded.filter((s) => !s.startsWith('reset') && !s.startsWith('grant'))).toEqual([]);
    const { rows: may } = await sql<{ may: boolean }>`
      select has_table_privilege(current_user, 'evidence', 'UPDATE, DELETE, TRUNCATE, TRIGGER') as may`.execute(service.db);
    expect(may[0]?.may).toBe(false);
    await evidenceUnchanged();
  });

  it('logs in as a role of its own: no superuser, no role membership, owns nothing', async () => {
    const { rows } = await sql<{ current: string; session: string; tableOwner: string }>`
      select current_user as current, session_user as session,
             (select tableowner from pg_tables where tablename = 'evidence' and schemaname = current_schema()) as "tableOwner"`.execute(service.db);
    const me = rows[0];
    expect(me?.current).toBe(me?.session);
    expect(me?.current).not.toBe(me?.tableOwner);
    const role = await sql<{ super: boolean; createrole: boolean; member: boolean }>`
      select rolsuper as super, rolcreaterole as createrole,
             exists (select 1 from pg_auth_members m where m.member = r.oid) as member
      from pg_roles r where rolname = current_user`.execute(service.db);
    expect(role.rows[0]).toEqual({ super: false, createrole: false, member: false });
  });
});
