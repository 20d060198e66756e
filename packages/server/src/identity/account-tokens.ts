import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { accountTokenRepository, type AccountTokenRow } from '../storage/account-token-repository.ts';
import type { Database } from '../storage/database-schema.ts';
import type { AccountTokenKind } from '../storage/provider-schema.ts';

/** 256 random bits, base64url: what a token looks like; anything else is refused before a query. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface LiveToken {
  row: AccountTokenRow;
  hash: Buffer;
  detail: Record<string, unknown>;
}

/**
 * One-time tokens (invitation, reset, setup, second step). The token goes to its holder once;
 * the database keeps its SHA-256, which is enough to find it and useless to anyone who reads it.
 * 256 random bits need no slow hash: there is nothing to guess.
 */
export class AccountTokens {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async issue(kind: AccountTokenKind, userId: string | null, ttlMs: number, detail: Record<string, unknown> | null = null, db: Kysely<Database> = this.db): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.nowMs();
    await accountTokenRepository.insert(db, {
      token_hash: tokenHash(token),
      kind,
      user_id: userId,
      detail: detail === null ? null : JSON.stringify(detail),
      attempts: 0,
      created_at: now,
      expires_at: now + ttlMs,
      used_at: null,
    });
    return { token, expiresAt: now + ttlMs };
  }

  /** The token while it is unused and unexpired; undefined for anything else (including malformed input). */
  async find(kind: AccountTokenKind, token: string, db: Kysely<Database> = this.db): Promise<LiveToken | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const hash = tokenHash(token);
    const row = await accountTokenRepository.findLive(db, hash, kind, this.nowMs());
    if (row === undefined) return undefined;
    return { row, hash, detail: row.detail === null ? {} : (JSON.parse(row.detail) as Record<string, unknown>) };
  }

  /** Uses the token up; false when another request did first. */
  consume(kind: AccountTokenKind, live: LiveToken, db: Kysely<Database> = this.db): Promise<boolean> {
    return accountTokenRepository.consume(db, live.hash, kind, this.nowMs());
  }

  /** Counts a wrong code against the token; the count so far. */
  addAttempt(live: LiveToken): Promise<number> {
    return accountTokenRepository.addAttempt(this.db, live.hash);
  }

  voidForUser(userId: string, kind: AccountTokenKind, db: Kysely<Database> = this.db): Promise<void> {
    return accountTokenRepository.voidForUser(db, userId, kind, this.nowMs());
  }

  /** Forgets tokens a day after they expired or were used. */
  purge(): Promise<number> {
    return accountTokenRepository.purge(this.db, this.nowMs() - 24 * 60 * 60_000);
  }
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
