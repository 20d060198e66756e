import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { readCookie } from '../common/cookies.ts';
import type { Database } from '../storage/database-schema.ts';
import { oidcPayloadRepository } from '../storage/oidc-payload-repository.ts';
import { webSessionRepository } from '../storage/web-session-repository.ts';
import { PROVIDER_SESSION_COOKIE } from './embedded-provider.ts';

/**
 * The web app's sessions (auth/, which identity/ does not import): the composition root passes
 * this in. `current`: the request whose own session stays; null ends them all.
 */
export interface WebSessionEnder {
  endForUser(userId: string, current: FastifyRequest | null): Promise<number>;
}

export interface EndedSessions {
  /** Sessions of the web app. */
  web: number;
  /** Sessions of the embedded provider (each would sign the browser in again without a password). */
  provider: number;
}

/**
 * Ends everything a user is signed in with, after their password changed: the provider's
 * sessions and grants (and the tokens under them), and the web app's sessions. A change made in
 * a signed-in browser keeps that browser's own sessions (`current`); a reset keeps none.
 */
export class UserSessions {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly web: WebSessionEnder | undefined,
  ) {}

  async endAll(userId: string, current: FastifyRequest | null): Promise<EndedSessions> {
    const keep = current === null ? undefined : readCookie(current, PROVIDER_SESSION_COOKIE);
    const provider = await oidcPayloadRepository.deleteForAccount(this.db, userId, keep);
    // Without the web app's own ender (a provider serving no app), every web session goes.
    const web = this.web === undefined ? await webSessionRepository.deleteForUser(this.db, userId) : await this.web.endForUser(userId, current);
    return { web, provider };
  }
}
