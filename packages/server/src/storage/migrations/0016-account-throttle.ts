import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { columnTypes, type QrlogMigration } from './migration.ts';

/**
 * Sign-in failures are forgotten after a quiet hour (local_accounts.last_failure_at), and the
 * provider's sessions, grants and tokens name their account (oidc_payloads.account_id), so that a
 * password reset or a removal can end them all. Rows written before this get it from their payload.
 */
export const accountThrottle: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    await db.schema.alterTable('local_accounts').addColumn('last_failure_at', t.time).execute();
    await db.schema.alterTable('oidc_payloads').addColumn('account_id', 'text').execute();
    await db.schema.createIndex('oidc_payloads_account').on('oidc_payloads').columns(['account_id']).execute();
    const accountOf = kind === 'sqlite' ? sql`json_extract(payload, '$.accountId')` : sql`(payload::json ->> 'accountId')`;
    await sql`update oidc_payloads set account_id = ${accountOf}`.execute(db);
  },
};
