import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { AppError } from '../../common/app-error.ts';

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

/** How long readiness waits for the database before calling it unreachable. */
const READY_TIMEOUT_MS = 2000;

/**
 * `/healthz`: the process answers. `/readyz`: and its database does too (else 503). With an
 * external identity provider, the body also says whether sign-in works (`signIn: "ok"` or
 * `"degraded"` when the provider cannot be reached) — still 200: scans do not depend on it.
 */
export function registerHealthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(HEALTH_PATH, { config: { policy: 'public' } }, (_request, reply) => reply.send({ status: 'ok' }));

  app.get(READY_PATH, { config: { policy: 'public' } }, async (request) => {
    let ready = false;
    try {
      ready = await withTimeout(ctx.services.readiness.check(), READY_TIMEOUT_MS);
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
    }
    if (!ready) throw new AppError('not-ready', 'database not reachable');
    const auth = ctx.auth;
    if (auth === undefined || auth.settings.embedded) return { status: 'ready' };
    const health = await auth.relyingParty.probe();
    if (!health.reachable) request.log.warn({ problem: health.problem }, 'sign-in degraded: the identity provider cannot be reached');
    // The details stay in the log: this answer is public.
    return health.reachable ? { status: 'ready', signIn: 'ok' } : { status: 'ready', signIn: 'degraded', signInProblem: 'the identity provider cannot be reached' };
  });
}

async function withTimeout(check: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, ms);
  });
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
