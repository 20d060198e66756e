import { addressKey } from '../../common/address-key.ts';
import { AppError } from '../../common/app-error.ts';
import type { AuditActor, AuditLog } from '../audit/audit-log.ts';
import type { AttackEpisodes } from './attack-episodes.ts';
import { DEFENSE_AUDIT } from './source-block-service.ts';

/** A source address under a sign-in backoff: its password guesses decide nothing until `until`. */
export interface SignInBackoff {
  /** IPv4 address or IPv6 /64, as the sign-in throttle keys it. */
  source: string;
  failures: number;
  lastFailureAt: Date;
  until: Date;
}

/** What the sign-in throttle (identity/address-throttle.ts, the embedded provider's) lets operators see and undo. */
export interface SignInThrottleView {
  backoffs(): SignInBackoff[];
  /** Forgets the failures of `source` (its key); false when it had none. */
  release(source: string): boolean;
}

/**
 * Credential guessing, for operators: the sign-in throttle's sources in backoff (per process, in
 * memory: the embedded provider's; an external provider throttles on its own side), their
 * release by hand (audited), and a notice to the operators when the first source of an attack
 * backs off. Until the embedded provider is attached there is nothing to show.
 */
export class SignInDefense {
  private view: SignInThrottleView | undefined;

  constructor(
    private readonly audit: AuditLog,
    private readonly episodes: AttackEpisodes,
  ) {}

  /** The embedded provider's throttle (app/open-sign-in.ts). */
  attach(view: SignInThrottleView): void {
    this.view = view;
  }

  get attached(): boolean {
    return this.view !== undefined;
  }

  backoffs(): SignInBackoff[] {
    return this.view?.backoffs() ?? [];
  }

  /** A source started a backoff (the throttle calls this): the first of an attack is told to the operators. */
  noteBackoff(source: string, failures: number, waitMs: number): void {
    void this.episodes.attack('credential-guessing', {
      subject: `qrlog: attack in progress, password guessing from ${source}`,
      text: [
        `The source ${source} failed to sign in ${String(failures)} times and backs off for ${String(Math.round(waitMs / 60_000))} minutes: its passwords alone sign nobody in until then (an owner with their authenticator still can).`,
        'Further sources backing off during this attack are not mailed again; GET /api/v1/sign-in-backoffs (operators) lists them, and POST /api/v1/sign-in-backoffs/release ends one by hand.',
      ].join('\n'),
    });
  }

  /** Ends a source's backoff by hand (audited); not-found when it has none. */
  async release(source: string, actor: AuditActor, comment: string, sourceAddress: string | null): Promise<void> {
    const key = addressKey(source.replace(/\/64$/, ''));
    if (this.view === undefined || !this.view.release(key)) throw new AppError('not-found', 'that source has no sign-in backoff here');
    await this.audit.record({ actor, action: DEFENSE_AUDIT.signInBackoffReleased, orgId: null, target: { kind: 'source', id: key }, sourceAddress, detail: { comment } });
  }
}
