import type { Kysely } from 'kysely';
import type { AuditActor, AuditLog } from '../core/audit/audit-log.ts';
import type { Database } from '../storage/database-schema.ts';
import { localAccountRepository } from '../storage/local-account-repository.ts';
import type { AccountTokens } from './account-tokens.ts';
import { ACCOUNT_PATHS, tokenLink } from './identity-paths.ts';
import { ACCOUNT_AUDIT } from './local-accounts.ts';

export const SETUP_LINK_TTL_MS = 24 * 60 * 60_000;

export interface SetupLink {
  link: string;
  expiresAt: Date;
}

/**
 * One-time links that make a platform operator account (email, password, authenticator). The
 * first start prints one while no operator exists; `qrlog operators setup-link` prints a fresh
 * one on the host (whoever has the shell has the KEK anyway). Only the token's hash is stored.
 */
export class SetupLinks {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly tokens: AccountTokens,
    private readonly audit: AuditLog,
    private readonly publicUrl: string,
  ) {}

  async issue(actor: AuditActor): Promise<SetupLink> {
    const { token, expiresAt } = await this.tokens.issue('setup', null, SETUP_LINK_TTL_MS);
    await this.audit.record({ actor, action: ACCOUNT_AUDIT.setupLinkIssued, orgId: null, detail: { expiresAt: new Date(expiresAt).toISOString() } });
    return { link: tokenLink(this.publicUrl, ACCOUNT_PATHS.setup, token), expiresAt: new Date(expiresAt) };
  }

  /** A link when the service has no operator yet (first start, or the first one never finished). */
  async issueIfNoOperator(): Promise<SetupLink | null> {
    if (await localAccountRepository.operatorExists(this.db)) return null;
    return this.issue({ kind: 'system' });
  }
}
