import { AppError } from '../../common/app-error.ts';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiScope } from '../access/principal.ts';
import type { AuthKeyStore } from '../../keys/auth-key-store.ts';
import { apiKeyRepository, type ApiKeyRow } from '../../storage/api-key-repository.ts';
import type { Database } from '../../storage/database-schema.ts';
import { AUDIT_ACTIONS, type AuditActor, type AuditLog } from '../audit/audit-log.ts';

export const API_SCOPES: readonly ApiScope[] = ['read', 'write', 'admin'];
export const API_KEY_ID_PATTERN = /^ak_[0-9a-f]{24}$/;
const SECRET_PREFIX = 'qrlog_sk_';
/** 256 random bits, base64url: 43 characters. */
export const API_KEY_SECRET_PATTERN = /^qrlog_sk_[A-Za-z0-9_-]{43}$/;
const MAX_NAME = 100;
/** Last-used time and the `api-key.used` audit record: at most once per key per minute. */
export const USE_RECORD_INTERVAL_MS = 60_000;

/** An API key as its organization's admins see it; never its secret. */
export interface ApiKeyInfo {
  id: string;
  orgId: string;
  name: string | null;
  scopes: ApiScope[];
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** What `create` returns: the only time anyone sees the secret. */
export interface CreatedApiKey extends ApiKeyInfo {
  secret: string;
}

export interface CreateApiKey {
  orgId: string;
  scopes: readonly ApiScope[];
  name?: string | null;
  expiresAt?: Date | null;
  actor: AuditActor;
  sourceAddress?: string | null;
}

/** Bad input to `create`: the message says what (never a secret). */
/**
 * API keys of machine clients: an id and a 256-bit secret, shown once. Only a digest of the
 * secret is stored: HMAC-SHA-256 under a pepper that is itself stored wrapped by the KEK.
 * Why not a slow password hash (argon2): those exist to make guessing low-entropy passwords
 * expensive, and a 256-bit random secret cannot be guessed at any speed, so slowness would only
 * cost every token request time and CPU. The pepper adds that a stolen database alone does
 * not even let anyone check a guess.
 */
export class ApiKeyService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keys: AuthKeyStore,
    private readonly audit: AuditLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: CreateApiKey): Promise<CreatedApiKey> {
    const scopes = checkScopes(input.scopes);
    const name = input.name?.trim() ?? null;
    if (name !== null && (name.length === 0 || name.length > MAX_NAME)) throw new AppError('invalid-request', `a key name is 1 to ${String(MAX_NAME)} characters`);
    const at = this.now();
    if (input.expiresAt != null && input.expiresAt.getTime() <= at.getTime()) throw new AppError('invalid-request', 'the expiry must be in the future');
    const org = await this.db.selectFrom('organizations').select('id').where('id', '=', input.orgId).executeTakeFirst();
    if (org === undefined) throw new AppError('invalid-request', 'no such organization');

    const id = `ak_${randomBytes(12).toString('hex')}`;
    const secret = `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
    const pepper = await this.keys.pepper();
    const row: ApiKeyRow = {
      id,
      org_id: input.orgId,
      name,
      scopes: scopes.join(' '),
      secret_hash: digest(pepper.key, secret),
      pepper_id: pepper.id,
      created_by: actorLabel(input.actor),
      created_at: at.getTime(),
      expires_at: input.expiresAt?.getTime() ?? null,
      revoked_at: null,
      revoked_by: null,
      last_used_at: null,
    };
    await this.db.transaction().execute(async (trx) => {
      await apiKeyRepository.insert(trx, row);
      await this.audit.record(
        {
          actor: input.actor,
          action: AUDIT_ACTIONS.apiKeyCreated,
          target: { kind: 'api-key', id },
          orgId: input.orgId,
          sourceAddress: input.sourceAddress ?? null,
          detail: { scopes, name, expiresAt: row.expires_at === null ? null : new Date(row.expires_at).toISOString() },
        },
        trx,
      );
    });
    return { ...toInfo(row), secret };
  }

  async list(orgId: string): Promise<ApiKeyInfo[]> {
    return (await apiKeyRepository.listByOrg(this.db, orgId)).map(toInfo);
  }

  /** An organization's key, or undefined (another organization's key too). */
  async find(orgId: string, id: string): Promise<ApiKeyInfo | undefined> {
    if (!API_KEY_ID_PATTERN.test(id)) return undefined;
    const row = await apiKeyRepository.findById(this.db, id);
    return row?.org_id === orgId ? toInfo(row) : undefined;
  }

  /** Revokes at once: tokens it was exchanged for stop working too. False when not found or already revoked. */
  async revoke(orgId: string, id: string, actor: AuditActor, sourceAddress: string | null = null): Promise<boolean> {
    if (!API_KEY_ID_PATTERN.test(id)) return false;
    return this.db.transaction().execute(async (trx) => {
      const done = await apiKeyRepository.revoke(trx, orgId, id, this.now().getTime(), actorLabel(actor));
      if (done) await this.audit.record({ actor, action: AUDIT_ACTIONS.apiKeyRevoked, target: { kind: 'api-key', id }, orgId, sourceAddress }, trx);
      return done;
    });
  }

  /**
   * The key when `secret` is its secret and it is neither revoked nor expired; undefined
   * otherwise, after the same work whether or not the id exists (no telling ids apart by time).
   */
  async verify(id: string, secret: string): Promise<ApiKeyInfo | undefined> {
    const pepper = await this.keys.pepper();
    const row = API_KEY_ID_PATTERN.test(id) ? await apiKeyRepository.findById(this.db, id) : undefined;
    const expected = row?.secret_hash ?? DUMMY_DIGEST;
    // A key digested under another pepper would need that pepper; there is one so far.
    const matches = timingSafeEqual(digest(pepper.key, secret), expected) && row?.pepper_id === pepper.id;
    if (row === undefined || !matches || !isUsable(row, this.now().getTime())) return undefined;
    return toInfo(row);
  }

  /** The key while it is usable (not revoked, not expired): checked on every request a token of it makes. */
  async findUsable(id: string): Promise<ApiKeyInfo | undefined> {
    if (!API_KEY_ID_PATTERN.test(id)) return undefined;
    const row = await apiKeyRepository.findById(this.db, id);
    return row !== undefined && isUsable(row, this.now().getTime()) ? toInfo(row) : undefined;
  }

  /** Notes a use: last-used time and an `api-key.used` audit record, each at most once a minute per key. */
  async recordUse(key: ApiKeyInfo, sourceAddress: string | null, via: 'token-exchange' | 'request'): Promise<void> {
    const at = this.now();
    const wrote = await apiKeyRepository.touchLastUsed(this.db, key.id, at.getTime(), USE_RECORD_INTERVAL_MS);
    if (!wrote) return;
    await this.audit.record({
      actor: { kind: 'api-key', id: key.id },
      action: AUDIT_ACTIONS.apiKeyUsed,
      target: { kind: 'api-key', id: key.id },
      orgId: key.orgId,
      sourceAddress,
      detail: { via },
      at,
    });
  }
}

const DUMMY_DIGEST = Buffer.alloc(32);

function digest(pepper: Buffer, secret: string): Buffer {
  return createHmac('sha256', pepper).update(secret, 'utf8').digest();
}

function isUsable(row: ApiKeyRow, now: number): boolean {
  return row.revoked_at === null && (row.expires_at === null || row.expires_at > now);
}

export function parseScopes(text: string): ApiScope[] {
  return text.split(' ').filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s));
}

function checkScopes(scopes: readonly ApiScope[]): ApiScope[] {
  const set = new Set(scopes);
  if (set.size === 0) throw new AppError('invalid-request', 'a key needs at least one scope: read, write or admin');
  for (const s of set) if (!API_SCOPES.includes(s)) throw new AppError('invalid-request', 'scopes are read, write and admin');
  return API_SCOPES.filter((s) => set.has(s));
}

function actorLabel(actor: AuditActor): string {
  return 'id' in actor ? `${actor.kind}:${actor.id}` : actor.kind;
}

function toInfo(r: ApiKeyRow): ApiKeyInfo {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    scopes: parseScopes(r.scopes),
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
    expiresAt: r.expires_at === null ? null : new Date(r.expires_at),
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at),
    lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
  };
}
