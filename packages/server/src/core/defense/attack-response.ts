import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { sourceBlockRepository, type RefusalTally } from '../../storage/source-block-repository.ts';
import type { AttackClass, AttackEpisodes } from './attack-episodes.ts';
import type { SignInBackoff, SignInDefense } from './sign-in-defense.ts';
import type { SourceBlock, SourceBlockService } from './source-block-service.ts';

/** What operators see of the attacks of the last `minutes`. */
export interface AttackSummary {
  since: Date;
  /** Attack classes whose episode is open (on this instance): operators were told about them. */
  inProgress: { kind: AttackClass; lastSeenAt: Date }[];
  blocks: SourceBlock[];
  /** Refusals per source, from the security log (all instances), most first. */
  sources: (RefusalTally & { blocked: boolean })[];
  /** Refusals per logger (the first serial the refused links claimed), most first. */
  loggers: RefusalTally[];
  signInBackoffs: SignInBackoff[];
}

/** The operators' view of attacks and the defences' one entry point for the routes. */
export class AttackResponse {
  constructor(
    private readonly db: Kysely<Database>,
    readonly blocks: SourceBlockService,
    readonly signIn: SignInDefense,
    readonly episodes: AttackEpisodes,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async summary(minutes: number, limit: number): Promise<AttackSummary> {
    const sinceMs = this.nowMs() - minutes * 60_000;
    const blocks = await this.blocks.recent(minutes * 60_000, limit);
    const active = new Set((await this.blocks.active()).map((b) => b.source));
    const sources = await sourceBlockRepository.refusalsBySource(this.db, sinceMs, limit);
    return {
      since: new Date(sinceMs),
      inProgress: this.episodes.open(),
      blocks,
      sources: sources.map((s) => ({ ...s, blocked: active.has(s.key) })),
      loggers: await sourceBlockRepository.refusalsBySerial(this.db, sinceMs, limit),
      signInBackoffs: this.signIn.backoffs(),
    };
  }
}
