import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/** Web sessions, sign-ins in progress, API keys and the service's own keys (see auth-schema.ts). */
export const auth: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    const schema = db.schema;
    const withoutRowid = <N extends string>(b: CreateTableBuilder<N>) => (kind === 'sqlite' ? b.modifyEnd(sql`without rowid`) : b);

    await withoutRowid(
      schema
        .createTable('web_sessions')
        .addColumn('id_hash', t.bytes, (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('id_token', 'text')
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('last_seen_at', t.time, (c) => c.notNull())
        .addColumn('idle_expires_at', t.time, (c) => c.notNull())
        .addColumn('absolute_expires_at', t.time, (c) => c.notNull())
        .addColumn('source_address', 'text', (c) => c.notNull())
        .addColumn('user_agent', 'text'),
    ).execute();
    await schema.createIndex('web_sessions_user').on('web_sessions').column('user_id').execute();
    await schema.createIndex('web_sessions_expiry').on('web_sessions').column('absolute_expires_at').execute();

    await withoutRowid(
      schema
        .createTable('auth_login_flows')
        .addColumn('id_hash', t.bytes, (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('code_verifier', 'text', (c) => c.notNull())
        .addColumn('return_to', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('expires_at', t.time, (c) => c.notNull()),
    ).execute();
    await schema.createIndex('auth_login_flows_expiry').on('auth_login_flows').column('expires_at').execute();

    await withoutRowid(
      schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text')
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('secret_hash', t.bytes, (c) => c.notNull())
        .addColumn('pepper_id', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('expires_at', t.time)
        .addColumn('revoked_at', t.time)
        .addColumn('revoked_by', 'text')
        .addColumn('last_used_at', t.time),
    ).execute();
    await schema.createIndex('api_keys_org').on('api_keys').columns(['org_id', 'created_at']).execute();

    await withoutRowid(
      schema
        .createTable('auth_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text')
        .addColumn('kek_label', 'text', (c) => c.notNull())
        .addColumn('wrapped', t.bytes, (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('retired_at', t.time),
    ).execute();

    // The service role manages sessions and keys; it never deletes the service's own keys.
    if (kind === 'postgres') {
      await grantToServiceRole(db, ['select, insert, update, delete on web_sessions, auth_login_flows, api_keys', 'select, insert, update on auth_keys']);
    }
  },
};
