import type { OperatorNotifier } from '../notifications/operator-notifier.ts';

/** The kinds of attack operators hear about: links forged at the scan routes, passwords guessed at sign-in. */
export type AttackClass = 'scan-flood' | 'credential-guessing';

/** Default quiet time after which an attack of a class is over, and the next one is news again. */
export const DEFAULT_EPISODE_QUIET_MS = 30 * 60_000;

/**
 * Attack episodes, per class: the first attack of a class opens an episode and is told to the
 * operators (one notice); further attacks and the blocked requests of an attack in progress keep
 * it open without another notice; after `quietMs` without either, it is over. So an hour-long
 * flood from many addresses is one mail, not one per source or per request. The notice's
 * dedupe key is the class alone, so that instances sharing the outbox add nothing within its
 * quiet period either.
 */
export class AttackEpisodes {
  private readonly lastSeen = new Map<AttackClass, number>();

  constructor(
    private readonly notifier: OperatorNotifier,
    private readonly options: { quietMs?: number; nowMs?: () => number; onError?: (error: unknown) => void } = {},
  ) {}

  /** An attack in progress is still going on (a blocked request): an open episode stays open. */
  touch(kind: AttackClass): void {
    const now = this.now();
    if (this.isOpen(kind, now)) this.lastSeen.set(kind, now);
  }

  /** A new attack (a source blocked, an address backed off): notifies the operators when it opens an episode. True then. */
  async attack(kind: AttackClass, notice: { subject: string; text: string }): Promise<boolean> {
    const now = this.now();
    const opens = !this.isOpen(kind, now);
    this.lastSeen.set(kind, now);
    if (!opens) return false;
    try {
      await this.notifier.notifyOperators({ topic: 'attack', subject: notice.subject, text: notice.text, dedupeKey: `attack:${kind}` });
    } catch (e) {
      // The notice is lost, not the defence: blocking goes on.
      this.options.onError?.(e);
    }
    return true;
  }

  /** Classes with an episode open now, and since when they were last seen. */
  open(): { kind: AttackClass; lastSeenAt: Date }[] {
    const now = this.now();
    return [...this.lastSeen].filter(([kind]) => this.isOpen(kind, now)).map(([kind, at]) => ({ kind, lastSeenAt: new Date(at) }));
  }

  private isOpen(kind: AttackClass, now: number): boolean {
    const last = this.lastSeen.get(kind);
    return last !== undefined && now - last < (this.options.quietMs ?? DEFAULT_EPISODE_QUIET_MS);
  }

  private now(): number {
    return (this.options.nowMs ?? Date.now)();
  }
}
