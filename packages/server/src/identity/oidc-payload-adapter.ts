import type { Kysely } from 'kysely';
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { Database } from '../storage/database-schema.ts';
import { oidcPayloadRepository, type OidcPayloadRow } from '../storage/oidc-payload-repository.ts';
import { isValidText } from '../common/valid-text.ts';

/**
 * oidc-provider's storage, in the service's database: one adapter per model name, every model in
 * `oidc_payloads` keyed by (kind, id). All state lives there, none in process memory, so any
 * instance on a shared PostgreSQL database continues a flow another instance began.
 */
export function oidcPayloadAdapterFactory(db: Kysely<Database>, nowMs: () => number = Date.now): AdapterFactory {
  return (name: string) => new OidcPayloadAdapter(name, db, nowMs);
}

/** Models whose tokens belong to a grant and go when it is revoked. */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

export class OidcPayloadAdapter implements Adapter {
  constructor(
    private readonly kind: string,
    private readonly db: Kysely<Database>,
    private readonly nowMs: () => number,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    await oidcPayloadRepository.upsert(this.db, {
      kind: this.kind,
      id,
      payload: JSON.stringify(payload),
      grantId: GRANTABLE.has(this.kind) && typeof payload.grantId === 'string' ? payload.grantId : null,
      userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
      uid: typeof payload.uid === 'string' ? payload.uid : null,
      accountId: typeof payload.accountId === 'string' ? payload.accountId : null,
      expiresAt: typeof expiresIn === 'number' && expiresIn > 0 ? this.nowMs() + expiresIn * 1000 : null,
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    // Ids come from requests (a client id in a Basic authorization header among them): text the
    // database cannot hold is no id of anything, not a query that fails.
    if (!isValidText(id)) return undefined;
    return toPayload(await oidcPayloadRepository.find(this.db, this.kind, id, this.nowMs()));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    if (!isValidText(uid)) return undefined;
    return toPayload(await oidcPayloadRepository.findByUid(this.db, this.kind, uid, this.nowMs()));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    if (!isValidText(userCode)) return undefined;
    return toPayload(await oidcPayloadRepository.findByUserCode(this.db, this.kind, userCode, this.nowMs()));
  }

  async consume(id: string): Promise<void> {
    await oidcPayloadRepository.consume(this.db, this.kind, id, this.nowMs());
  }

  async destroy(id: string): Promise<void> {
    await oidcPayloadRepository.destroy(this.db, this.kind, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await oidcPayloadRepository.revokeByGrantId(this.db, grantId);
  }
}

function toPayload(row: OidcPayloadRow | undefined): AdapterPayload | undefined {
  if (row === undefined) return undefined;
  const payload = JSON.parse(row.payload) as AdapterPayload;
  // The library checks `consumed` for truthiness; seconds, as its own memory adapter stores.
  return row.consumed_at === null ? payload : { ...payload, consumed: Math.floor(row.consumed_at / 1000) };
}
