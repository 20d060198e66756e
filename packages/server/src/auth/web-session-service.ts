import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/database-schema.ts';
import { webSessionRepository, type WebSessionRow } from '../storage/web-session-repository.ts';
import { newSecretId, SECRET_ID_PATTERN, secretIdDigest } from './secret-id.ts';

/** Last-seen time is written at most this often per session (not on every request). */
const TOUCH_INTERVAL_MS = 60_000;
/** Expired sessions are swept at most this often (per process), at a sign-in. */
const SWEEP_INTERVAL_MS = 10 * 60_000;
const MAX_USER_AGENT = 512;
const MAX_ADDRESS = 100;

export interface WebSession {
  userId: string;
  issuer: string;
  idToken: string | null;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
}

export interface StartSession {
  userId: string;
  issuer: string;
  idToken: string | null;
  sourceAddress: string;
  userAgent: string | null;
}

/**
 * Server-side browser sessions. The cookie carries a random 256-bit id; the table holds only
 * its digest. A session ends after `idleMs` without use or `absoluteMs` after sign-in,
 * whichever comes first, and when the user signs out.
 */
export class WebSessionService {
  private lastSweep = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly lifetime: { idleMs: number; absoluteMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** A new session with a new id (never one the browser brought: no fixation). */
  async start(s: StartSession): Promise<{ id: string; session: WebSession }> {
    const now = this.now();
    await this.sweep(now);
    const id = newSecretId();
    const absolute = now + this.lifetime.absoluteMs;
    const row: WebSessionRow = {
      id_hash: secretIdDigest('web-session', id),
      user_id: s.userId,
      issuer: s.issuer,
      id_token: s.idToken,
      created_at: now,
      last_seen_at: now,
      idle_expires_at: Math.min(now + this.lifetime.idleMs, absolute),
      absolute_expires_at: absolute,
      source_address: s.sourceAddress.slice(0, MAX_ADDRESS),
      user_agent: s.userAgent === null ? null : s.userAgent.slice(0, MAX_USER_AGENT),
    };
    await webSessionRepository.insert(this.db, row);
    return { id, session: toSession(row) };
  }

  /** The live session the cookie's id names, its use recorded; undefined when none (expired, ended, malformed). */
  async resolve(id: string): Promise<WebSession | undefined> {
    if (!SECRET_ID_PATTERN.test(id)) return undefined;
    const now = this.now();
    const hash = secretIdDigest('web-session', id);
    const row = await webSessionRepository.findLive(this.db, hash, now);
    if (row === undefined) return undefined;
    if (now - row.last_seen_at >= TOUCH_INTERVAL_MS) {
      const idle = Math.min(now + this.lifetime.idleMs, row.absolute_expires_at);
      await webSessionRepository.touch(this.db, hash, now, idle);
      row.last_seen_at = now;
      row.idle_expires_at = idle;
    }
    return toSession(row);
  }

  /** Ends the session; what it was, when it existed. */
  async end(id: string): Promise<WebSession | undefined> {
    if (!SECRET_ID_PATTERN.test(id)) return undefined;
    const row = await webSessionRepository.delete(this.db, secretIdDigest('web-session', id));
    return row === undefined ? undefined : toSession(row);
  }

  /**
   * Ends every session of a user (password reset or change, removal): takes effect on their next
   * request. `keepId`: the cookie's id of a session that stays (the one a password was changed in).
   */
  endAllForUser(userId: string, keepId?: string): Promise<number> {
    const keep = keepId !== undefined && SECRET_ID_PATTERN.test(keepId) ? secretIdDigest('web-session', keepId) : undefined;
    return webSessionRepository.deleteForUser(this.db, userId, keep);
  }

  private async sweep(now: number): Promise<void> {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    await webSessionRepository.deleteExpired(this.db, now);
  }
}

/**
 * The session's CSRF token (synchronizer token): HMAC-SHA-256 keyed with the session id. Only
 * someone who holds the id (the browser, through the cookie it cannot read from script) or
 * was given the token by `GET /auth/session` (same-origin script) has it; a cross-site page has
 * neither. Nothing to store: it is derived again on every check.
 */
export function csrfTokenFor(sessionId: string): string {
  return createHmac('sha256', sessionId).update('qrlog-csrf/1').digest('base64url');
}

function toSession(r: WebSessionRow): WebSession {
  return {
    userId: r.user_id,
    issuer: r.issuer,
    idToken: r.id_token,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    idleExpiresAt: r.idle_expires_at,
    absoluteExpiresAt: r.absolute_expires_at,
  };
}
