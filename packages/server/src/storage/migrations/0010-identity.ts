import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { appendOnlyGuard } from '../append-only-guards.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/** Tables of identity-schema.ts; audit_log append-only like evidence. */
export const identity: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    const schema = db.schema;

    await schema
      .createTable('organizations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('operator_access', 'integer', (c) => c.notNull().defaultTo(0).check(sql`operator_access in (0, 1)`))
      .addColumn('created_at', t.time, (c) => c.notNull())
      .execute();

    await schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique().check(sql`email = lower(email)`))
      .addColumn('display_name', 'text')
      .addColumn('org_id', 'text', (c) => c.references('organizations.id'))
      .addColumn('role', 'text', (c) => c.check(sql`role in ('admin', 'user')`))
      .addColumn('operator', 'integer', (c) => c.notNull().defaultTo(0).check(sql`operator in (0, 1)`))
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('invited', 'active', 'disabled')`))
      .addColumn('created_at', t.time, (c) => c.notNull())
      // A member of an organization has a role there; nobody has a role outside one.
      .addCheckConstraint('users_role_with_org', sql`(org_id is null) = (role is null)`)
      .execute();
    await schema.createIndex('users_org').on('users').columns(['org_id']).execute();

    await schema
      .createTable('teams')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addUniqueConstraint('teams_org_name', ['org_id', 'name'])
      .execute();

    await schema
      .createTable('team_members')
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
      .execute();
    await schema.createIndex('team_members_user').on('team_members').columns(['user_id']).execute();

    await schema
      .createTable('user_identities')
      .addColumn('issuer', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('user_identities_pk', ['issuer', 'subject'])
      .execute();
    await schema.createIndex('user_identities_user').on('user_identities').columns(['user_id']).execute();

    await schema
      .createTable('logger_claims')
      .addColumn('serial', 'text', (c) => c.primaryKey().references('loggers.serial'))
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
      .addColumn('claimed_at', t.time, (c) => c.notNull())
      .addColumn('claimed_by', 'text', (c) => c.notNull())
      .execute();
    await schema.createIndex('logger_claims_team').on('logger_claims').columns(['team_id', 'serial']).execute();

    await schema
      .createTable('logger_shares')
      .addColumn('serial', 'text', (c) => c.notNull().references('loggers.serial'))
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
      .addColumn('access', 'text', (c) => c.notNull().check(sql`access in ('read', 'read-write')`))
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('logger_shares_pk', ['serial', 'team_id'])
      .execute();
    await schema.createIndex('logger_shares_team').on('logger_shares').columns(['team_id', 'serial']).execute();

    const auditId =
      kind === 'sqlite'
        ? schema.createTable('audit_log').addColumn('id', 'integer', (c) => c.primaryKey())
        : schema.createTable('audit_log').addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity());
    await auditId
      .addColumn('at', t.time, (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('org_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_kind', 'text')
      .addColumn('target_id', 'text')
      .addColumn('source_address', 'text')
      .addColumn('detail', 'text')
      .execute();
    await schema.createIndex('audit_log_org').on('audit_log').columns(['org_id', 'id']).execute();

    for (const s of appendOnlyGuard(kind, 'audit_log').create) await sql.raw(s).execute(db);

    // The read API lists a logger's scans newest first and each logger's last scan.
    await schema.createIndex('scans_serial_time').on('scans').columns(['serial', 'received_at']).execute();

    // Same privilege split as 0003: the service appends to the audit log but never changes it.
    if (kind === 'postgres') {
      await grantToServiceRole(db, [
        'select, insert, update, delete on organizations, users, teams, team_members, user_identities, logger_claims, logger_shares',
        'select, insert on audit_log',
      ]);
    }
  },
};
