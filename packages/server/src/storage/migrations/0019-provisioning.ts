import type { Kysely } from 'kysely';
import type { QrlogMigration } from './migration.ts';

/**
 * Users placed by the external provider's claims or named operators in the configuration
 * (provisioning): `users.provisioned_by` says which, so their access follows the provider's
 * claims and the configuration at every sign-in and token, and ends when those no longer name them.
 * Null for everyone else (invited, created by a command). A new column of an existing table: the
 * service role's grants on `users` cover it.
 */
export const provisioning: QrlogMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('users').addColumn('provisioned_by', 'text').execute();
  },
};
