import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/** Tables of provider-schema.ts: the embedded OpenID Connect provider and its local accounts. */
export const embeddedProvider: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    const schema = db.schema;

    await schema
      .createTable('oidc_payloads')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text')
      .addColumn('user_code', 'text')
      .addColumn('uid', 'text')
      .addColumn('expires_at', t.time)
      .addColumn('consumed_at', t.time)
      .addPrimaryKeyConstraint('oidc_payloads_pk', ['kind', 'id'])
      .execute();
    await schema.createIndex('oidc_payloads_grant').on('oidc_payloads').columns(['grant_id']).execute();
    await schema.createIndex('oidc_payloads_uid').on('oidc_payloads').columns(['kind', 'uid']).execute();
    await schema.createIndex('oidc_payloads_user_code').on('oidc_payloads').columns(['kind', 'user_code']).execute();
    await schema.createIndex('oidc_payloads_expiry').on('oidc_payloads').columns(['expires_at']).execute();

    await schema
      .createTable('local_accounts')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('password_changed_at', t.time, (c) => c.notNull())
      .addColumn('totp_secret', t.bytes)
      .addColumn('totp_kek_label', 'text')
      .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0).check(sql`totp_enabled in (0, 1)`))
      .addColumn('totp_last_step', t.time)
      .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_until', t.time)
      .addColumn('created_at', t.time, (c) => c.notNull())
      // An enabled second factor has a secret, and a secret names the KEK that wraps it.
      .addCheckConstraint('local_accounts_totp', sql`(totp_enabled = 0 or totp_secret is not null) and ((totp_secret is null) = (totp_kek_label is null))`)
      .execute();

    await schema
      .createTable('account_tokens')
      .addColumn('token_hash', t.bytes, (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('invitation', 'reset', 'setup', 'step')`))
      .addColumn('user_id', 'text', (c) => c.references('users.id'))
      .addColumn('detail', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addColumn('expires_at', t.time, (c) => c.notNull())
      .addColumn('used_at', t.time)
      .execute();
    await schema.createIndex('account_tokens_user').on('account_tokens').columns(['user_id', 'kind']).execute();
    await schema.createIndex('account_tokens_expiry').on('account_tokens').columns(['expires_at']).execute();

    await schema
      .createTable('provider_secrets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('signing-key', 'cookie-key', 'client-secret')`))
      .addColumn('generation', 'integer', (c) => c.notNull())
      .addColumn('kek_label', 'text', (c) => c.notNull())
      .addColumn('wrapped', t.bytes, (c) => c.notNull())
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addColumn('retired_at', t.time)
      .addUniqueConstraint('provider_secrets_generation', ['purpose', 'generation'])
      .execute();

    // The service keeps these tables itself: it may read, add, change and remove their rows.
    if (kind === 'postgres') await grantToServiceRole(db, ['select, insert, update, delete on oidc_payloads, local_accounts, account_tokens, provider_secrets']);
  },
};
