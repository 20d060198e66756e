import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Keyring } from '../keys/keyring.ts';
import type { Database } from '../storage/database-schema.ts';
import type { ProviderSecretPurpose } from '../storage/provider-schema.ts';
import { providerSecretRepository, type ProviderSecretRow } from '../storage/provider-secret-repository.ts';
import { unwrapSecret, wrapSecret } from './secret-wrap.ts';

/** The one registered client: the qrlog web app itself. */
export const WEB_CLIENT_ID = 'qrlog-web';

/** The signing algorithm: Auth0's default, so relying parties need no other setting for either. */
export const SIGNING_ALG = 'RS256';

export interface ProviderSecrets {
  /** Private JWKs; the first one signs, all are published for verification. */
  signingKeys: JWK[];
  /** Cookie signing keys; the first one signs, all verify. */
  cookieKeys: string[];
  clientSecret: string;
}

export interface ProviderSecretOptions {
  /**
   * How long a new key is only published before it signs (default one hour): instances that
   * restart in that time already serve it in their JWKS when the first token signed by it arrives.
   */
  activationDelayMs?: number;
  nowMs?: () => number;
}

/**
 * The embedded provider's secrets, created on first start and kept wrapped by the KEK in
 * `provider_secrets`. Several instances starting at once agree: the first insert wins and every
 * instance reads back what is stored. Rotation adds a generation; retired keys stay readable for
 * the audit of what was, but are no longer loaded.
 */
export class ProviderSecretStore {
  private readonly nowMs: () => number;
  private readonly activationDelayMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    options: ProviderSecretOptions = {},
  ) {
    this.nowMs = options.nowMs ?? Date.now;
    this.activationDelayMs = options.activationDelayMs ?? 60 * 60_000;
  }

  async load(): Promise<ProviderSecrets> {
    const signing = await this.ensure('signing-key', newSigningKey);
    const cookies = await this.ensure('cookie-key', () => Promise.resolve(randomBytes(32)));
    const client = await this.ensureClientSecret();
    return {
      signingKeys: this.inSigningOrder(signing).map((r) => JSON.parse(Buffer.from(this.open(r)).toString('utf8')) as JWK),
      cookieKeys: this.inSigningOrder(cookies).map((r) => Buffer.from(this.open(r)).toString('base64url')),
      clientSecret: Buffer.from(this.open(client)).toString('utf8'),
    };
  }

  /** A new signing key: published at once, signing after the activation delay. Retires all but the current signer. */
  rotateSigningKey(): Promise<{ id: string }> {
    return this.rotate('signing-key', newSigningKey);
  }

  rotateCookieKey(): Promise<{ id: string }> {
    return this.rotate('cookie-key', () => Promise.resolve(randomBytes(32)));
  }

  /** Re-wraps every stored secret under the active KEK; the number re-wrapped. */
  async rewrapAll(): Promise<number> {
    const active = this.keyring.active.label;
    let n = 0;
    for (const row of await providerSecretRepository.listNotWrappedBy(this.db, active)) {
      const next = wrapSecret(this.keyring, row.id, this.open(row));
      if (await providerSecretRepository.rewrap(this.db, row.id, row.kek_label, next.wrapped, next.kekLabel)) n++;
    }
    return n;
  }

  private async rotate(purpose: ProviderSecretPurpose, make: () => Promise<Uint8Array>): Promise<{ id: string }> {
    const rows = await providerSecretRepository.listActive(this.db, purpose);
    const signer = this.inSigningOrder(rows)[0];
    for (;;) {
      const generation = (await providerSecretRepository.maxGeneration(this.db, purpose)) + 1;
      const id = `${purpose}:${String(generation)}`;
      if (await this.insert(purpose, generation, await make())) {
        await providerSecretRepository.retire(
          this.db,
          rows.filter((r) => r.id !== signer?.id).map((r) => r.id),
          this.nowMs(),
        );
        return { id };
      }
    }
  }

  /** Generation 1 when the purpose has no secret yet (first start), then what is stored. */
  private async ensure(purpose: ProviderSecretPurpose, make: () => Promise<Uint8Array>): Promise<ProviderSecretRow[]> {
    let rows = await providerSecretRepository.listActive(this.db, purpose);
    if (rows.length === 0) {
      await this.insert(purpose, 1, await make());
      rows = await providerSecretRepository.listActive(this.db, purpose);
    }
    if (rows.length === 0) throw new Error(`no ${purpose} could be stored`);
    return rows;
  }

  private async ensureClientSecret(): Promise<ProviderSecretRow> {
    const id = clientSecretId();
    let row = await providerSecretRepository.find(this.db, id);
    if (row === undefined) {
      await this.insert('client-secret', 1, Buffer.from(randomBytes(32).toString('base64url'), 'utf8'), id);
      row = await providerSecretRepository.find(this.db, id);
    }
    if (row === undefined) throw new Error('the client secret could not be stored');
    return row;
  }

  private insert(purpose: ProviderSecretPurpose, generation: number, secret: Uint8Array, id = `${purpose}:${String(generation)}`): Promise<boolean> {
    const { kekLabel, wrapped } = wrapSecret(this.keyring, id, secret);
    return providerSecretRepository.insert(this.db, { id, purpose, generation, kek_label: kekLabel, wrapped, created_at: this.nowMs(), retired_at: null });
  }

  private open(row: ProviderSecretRow): Uint8Array {
    return unwrapSecret(this.keyring, row.id, { kekLabel: row.kek_label, wrapped: row.wrapped });
  }

  /** The signer first: the newest secret past its activation delay (or the oldest, when none is), then the rest newest first. */
  private inSigningOrder(rows: readonly ProviderSecretRow[]): ProviderSecretRow[] {
    const byGeneration = [...rows].sort((a, b) => b.generation - a.generation);
    const cutoff = this.nowMs() - this.activationDelayMs;
    const signer = byGeneration.find((r) => r.created_at <= cutoff) ?? byGeneration[byGeneration.length - 1];
    return signer === undefined ? [] : [signer, ...byGeneration.filter((r) => r !== signer)];
  }
}

function clientSecretId(): string {
  return `client-secret:${WEB_CLIENT_ID}`;
}

async function newSigningKey(): Promise<Uint8Array> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const full: JWK = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: SIGNING_ALG, use: 'sig' };
  return Buffer.from(JSON.stringify(full), 'utf8');
}
