import type { FastifyInstance, FastifyPluginAsync, FastifyPluginCallback, FastifyRequest, RouteOptions } from 'fastify';
import { AppError } from '../common/app-error.ts';
import type { AccessResolver } from '../core/access/access-resolver.ts';
import { decide, policyProblem, subjectOf, TARGET_PARAMS, type RoutePolicy, type Standing, type Subject, type Target } from '../core/access/policy.ts';
import { ANONYMOUS, type Principal } from '../core/access/principal.ts';

/** What the policy found for a request: handlers use it instead of looking again. */
export interface RequestAccess {
  subject: Subject;
  /** Null on public routes. */
  standing: Standing | null;
  /** The object the route's path names, when its policy has a target. */
  target: Target | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    access: RequestAccess | null;
  }
  interface FastifyInstance {
    /** Set in a scope that declares every route registered inside it (by a third-party plugin) public. */
    routePolicyDefault?: 'public';
  }
}

/** A route as the policy saw it registered. */
export interface RegisteredRoute {
  method: string;
  url: string;
  policy: RoutePolicy;
}

const routesOf = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route registered on an app with its policy, in order (what the authorization matrix walks). */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return routesOf.get(app) ?? [];
}

const MESSAGES = {
  401: 'sign in, or send a bearer token',
  403: 'not allowed',
  404: 'nothing here',
} as const;

/**
 * Installs the policy on an app, before any route: an onRoute hook that refuses to register a
 * route without a valid `config.policy` (so a forgotten policy fails at start, and in the test
 * suite), and a preValidation hook that enforces it on every request (after authentication
 * set `request.principal`, before the body is even validated: a stranger learns nothing of a
 * route's schema). Without a resolver (no identity tables: the bare ingestion app in tests)
 * every non-public route is refused.
 */
export function installPolicy(app: FastifyInstance, resolver: AccessResolver | undefined): void {
  app.decorateRequest('access', null);
  const routes: RegisteredRoute[] = [];
  routesOf.set(app, routes);

  app.addHook('onRoute', function (this: FastifyInstance, route: RouteOptions) {
    const config = (route.config ?? {}) as { policy?: RoutePolicy };
    const policy = config.policy ?? this.routePolicyDefault;
    const problem = policyProblem(policy, route.url);
    if (problem !== undefined) {
      const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
      throw new Error(`route ${methods} ${route.url} ${problem}`);
    }
    if (config.policy === undefined) route.config = { ...route.config, policy };
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, policy: policy as RoutePolicy });
  });

  app.addHook('preValidation', async (request, reply) => {
    const policy = request.routeOptions.config.policy;
    // Not found, and unknown methods: Fastify's own 404/405 answers, which carry no policy.
    if (policy === undefined && request.routeOptions.url === undefined) return;
    if (policy === undefined) throw new AppError('internal', 'internal error');
    const principal = principalOf(request);
    if (policy === 'public') {
      request.access = { subject: subjectOf(principal), standing: null, target: undefined };
      return;
    }
    const subject = resolver === undefined ? { kind: 'anonymous' as const } : await resolver.subject(principal);
    let target: Target | 'missing' | undefined;
    if (policy.target !== undefined && subject.kind !== 'anonymous') {
      const id = (request.params as Record<string, string | undefined>)[TARGET_PARAMS[policy.target]] ?? '';
      target = resolver === undefined ? 'missing' : await resolver.target(policy.target, id);
    }
    const decision = decide(subject, policy, target);
    if (!decision.allow) {
      if (decision.status === 401) reply.header('www-authenticate', 'Bearer realm="qrlog"');
      throw new AppError(decision.status === 401 ? 'unauthorized' : decision.status === 403 ? 'forbidden' : 'not-found', MESSAGES[decision.status]);
    }
    request.access = { subject, standing: decision.standing, target: target === 'missing' ? undefined : target };
  });
}

/** The principal authentication set; anonymous when it set none (or is not installed). */
export function principalOf(request: FastifyRequest): Principal {
  // Typed as always set, but null (its decoration) in an app built without authentication.
  return (request as { principal?: Principal | null }).principal ?? ANONYMOUS;
}

/** The access a non-public route's handler runs with (the policy hook set it). */
export function accessOf(request: FastifyRequest): RequestAccess & { standing: Standing } {
  const access = request.access;
  if (access?.standing == null) throw new Error(`route ${request.routeOptions.url ?? '?'} used accessOf without a policy`);
  return access as RequestAccess & { standing: Standing };
}

/**
 * Registers a third-party plugin whose routes cannot carry our config (the API reference's
 * static files) in a scope that declares all of them public.
 */
export async function registerPublicPlugin<O extends object>(app: FastifyInstance, plugin: FastifyPluginAsync<O> | FastifyPluginCallback<O>, options: O): Promise<void> {
  await app.register(async (scope) => {
    scope.decorate('routePolicyDefault', 'public');
    await scope.register(plugin, options);
  });
}
