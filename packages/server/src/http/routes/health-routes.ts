import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { AppError } from '../../common/app-error.ts';
import type { ReadinessReport } from '../../common/readiness.ts';

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

/** How long readiness waits for the database before calling it unreachable. */
const READY_TIMEOUT_MS = 2000;

/** The side dependency sign-in needs; named in the body as before (`signIn`) for existing probes. */
const IDENTITY_PROVIDER = 'identity-provider';

/**
 * `/healthz`: the process answers. `/readyz`: it can take scans, i.e. its required dependencies
 * (database, KEK) answer, else 503. Side dependencies (identity provider, backup store, SMTP,
 * registered by the composition root) are listed in the body as `degraded` when they do not
 * answer, still with 200: scans do not depend on them. Only fixed words in the body (it is
 * public); what went wrong goes to the log.
 */
export function registerHealthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(HEALTH_PATH, { config: { policy: 'public' } }, (_request, reply) => reply.send({ status: 'ok' }));

  app.get(READY_PATH, { config: { policy: 'public' } }, async (request) => {
    const report = await withTimeout(readinessReport(ctx), READY_TIMEOUT_MS).catch((err: unknown) => {
      request.log.warn({ err }, 'readiness check failed');
      return undefined;
    });
    for (const [name, problem] of Object.entries(report?.problems ?? {})) request.log.warn({ dependency: name, problem }, `dependency ${name} not answering`);
    if (report?.ready !== true) throw new AppError('not-ready', 'database not reachable');
    const degraded = Object.entries(report.dependencies).filter(([, s]) => s === 'degraded').map(([name]) => name);
    const signIn = report.dependencies[IDENTITY_PROVIDER];
    return {
      status: 'ready',
      ...(degraded.length === 0 ? {} : { degraded }),
      ...(Object.keys(report.dependencies).length === 0 ? {} : { dependencies: report.dependencies }),
      ...(signIn === undefined ? {} : signIn === 'ok' ? { signIn: 'ok' } : { signIn: 'degraded', signInProblem: 'the identity provider cannot be reached' }),
    };
  });
}

/** The services' report, or (services that only say ready or not) one made of that answer. */
async function readinessReport(ctx: AppContext): Promise<ReadinessReport> {
  const readiness = ctx.services.readiness;
  if (readiness.report !== undefined) return readiness.report();
  const ready = await readiness.check();
  return { ready, dependencies: {}, problems: ready ? {} : { database: 'not ready' } };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${String(ms)} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
