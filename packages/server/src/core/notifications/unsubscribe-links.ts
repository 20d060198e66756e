import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import type { NotificationCategory } from '../../storage/notification-schema.ts';
import { notificationSubscriptionRepository } from '../../storage/notification-subscription-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';

/** Where the unsubscribe page answers; the token follows as the last path segment. */
export const UNSUBSCRIBE_PATH = '/notifications/unsubscribe';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** SHA-256 of a token: what is stored, and (cut short) what a log may show. */
export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function tokenDigest(token: string): string {
  return tokenHash(token).toString('hex').slice(0, 16);
}

export interface UnsubscribeTarget {
  /** The address, partly hidden: the page shows it to whoever holds the link. */
  maskedRecipient: string;
  category: NotificationCategory;
}

/**
 * Unsubscribe capabilities: each mail carries its own link with 256 random bits, stored only as
 * SHA-256, that works without signing in. Opening it shows what it would stop; posting to it stops it.
 */
export class UnsubscribeLinks {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditLog,
    private readonly publicUrl: string,
    private readonly now: () => Date,
  ) {}

  /** A fresh link for one mail to `recipient`. */
  async issue(recipient: string, category: NotificationCategory): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await notificationSubscriptionRepository.insertToken(this.db, { token_hash: tokenHash(token), recipient, category, created_at: this.now().getTime() });
    return `${this.publicUrl.replace(/\/$/, '')}${UNSUBSCRIBE_PATH}/${token}`;
  }

  /** What the link would unsubscribe, or null for a token that is not one of ours. */
  async describe(token: string): Promise<UnsubscribeTarget | null> {
    const row = await this.find(token);
    return row === undefined ? null : { maskedRecipient: maskAddress(row.recipient), category: row.category };
  }

  /** Unsubscribes the link's address from its category (again is fine); null for an unknown token. */
  async unsubscribe(token: string, sourceAddress: string | null): Promise<UnsubscribeTarget | null> {
    const row = await this.find(token);
    if (row === undefined) return null;
    const changed = await notificationSubscriptionRepository.unsubscribe(this.db, row.recipient, row.category, this.now().getTime());
    if (changed) {
      await this.audit.record({
        actor: { kind: 'anonymous' },
        action: 'notifications.unsubscribed',
        target: { kind: 'mail-address', id: row.recipient },
        orgId: null,
        sourceAddress,
        detail: { category: row.category, tokenDigest: tokenDigest(token) },
      });
    }
    return { maskedRecipient: maskAddress(row.recipient), category: row.category };
  }

  private async find(token: string) {
    if (!TOKEN.test(token)) return undefined;
    return notificationSubscriptionRepository.findToken(this.db, tokenHash(token));
  }
}

/** a***@example.com: enough to recognise one's own address, not to harvest it from a forwarded mail. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address.slice(0, 1)}***${address.slice(at)}`;
}
