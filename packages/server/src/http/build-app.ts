import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { AuthLayer } from '../auth/auth-layer.ts';
import { installAuthentication } from '../auth/authenticate.ts';
import { installPolicy } from './policy-hook.ts';
import { installTextGuard } from './text-guard.ts';
import type { InvitationMailer } from '../core/tenancy/invitation-mailer.ts';
import { logOnlyInvitationMailer } from '../core/tenancy/tenancy-log-mailer.ts';
import type { TrustProxy } from '../config/server-config-schema.ts';
import type { AppContext } from './app-context.ts';
import { installErrorResponses } from './error-responses.ts';
import { installForwardedHttpsOnly } from './forwarded-https-only.ts';
import { FreshSecondFactor, type EmbeddedSecondFactor } from './fresh-second-factor.ts';
import { HttpMetrics } from './http-metrics.ts';
import type { HttpServices } from './http-services.ts';
import { LinkIntake, type IntakeLimits } from './link-intake.ts';
import { registerOpenApiCollector, registerOpenApiRoutes } from './openapi.ts';
import { useZodSchemas } from './zod-schemas.ts';
import { registerApiRoutes } from './routes/api/api-routes.ts';
import { registerAlertRoutes } from './routes/api/alert-routes.ts';
import { registerAuthRoutes, registerSignOutEverywhereRoute, registerTokenRoutes, type EndUserSessions } from './routes/auth-routes.ts';
import { registerHealthRoutes } from './routes/health-routes.ts';
import { registerKeyExportPageRoutes } from './routes/key-export-page-routes.ts';
import { registerMetricsRoute } from './routes/metrics-route.ts';
import { registerScanBatchRoute } from './routes/scan-batch-route.ts';
import { registerScanLinkRoute } from './routes/scan-link-route.ts';
import { registerScanLocationRoute } from './routes/scan-location-route.ts';
import { registerScanPageRoutes } from './routes/scan-page-routes.ts';
import { registerWebAppRoutes, type WebAppFiles } from './routes/web-app-routes.ts';
import { registerConsigneePageRoute, type ConsigneePageExtras } from './routes/consignee-page-route.ts';
import { consigneeExtrasOf } from './consignee-extras.ts';
import { registerUnsubscribeRoutes } from './routes/unsubscribe-routes.ts';
import { registerNotificationPreferenceRoutes } from './routes/api/notification-preference-routes.ts';
import { registerCookies } from '../common/cookies.ts';
import { installSecurityHeaders } from '../common/security-headers.ts';
import { DefenseMetrics } from './defense-metrics.ts';
import { installSourceBlockGuard } from './source-block-guard.ts';

/** The response header naming the request's id (as in every log line of it: `reqId`). */
export const REQUEST_ID_HEADER = 'x-request-id';

export interface AppOptions {
  services: HttpServices;
  limits: IntakeLimits;
  maxBatch: number;
  /** How long after a scan its page shows the figures (default one hour). */
  scanPageLifetimeSeconds?: number;
  trustProxy: TrustProxy;
  publicUrl?: string | undefined;
  metricsToken?: string | undefined;
  /** TLS for the listening server; absent for in-process use (inject). */
  tls?: { cert: string; key: string } | undefined;
  /** Fastify/pino logger options; false for silence. */
  logger: FastifyServerOptions['logger'];
  metrics?: HttpMetrics;
  nowMs?: () => number;
  /** Sign-in, sessions, bearer tokens and API keys (auth/); absent: every request is anonymous. */
  auth?: AuthLayer | undefined;
  /** Sends invitations for the members API; default: a notice in the log that nothing was sent. */
  invitationMailer?: InvitationMailer | undefined;
  /** The built web app (packages/web/dist), served under /app/; undefined: /app/ says how to build it. */
  webApp?: WebAppFiles | undefined;
  /** Sections the consignee's public mission page adds (alerts, report downloads); default: the mission's alerts. */
  consigneeExtras?: ConsigneePageExtras | undefined;
  /**
   * The embedded OpenID Connect provider (identity/): mounts /oidc/*, its sign-in and account pages,
   * and checks authenticator codes typed now (a key export's fresh second factor).
   */
  identity?: ({ register(app: FastifyInstance): void; endUserSessions?: EndUserSessions } & Partial<EmbeddedSecondFactor>) | undefined;
}

/**
 * The ingestion service's Fastify app: routes, the security headers, HTTPS enforcement behind a
 * proxy, the one error mapping and per-route latency. Built the same for a real server and for
 * in-process tests.
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const nowMs = options.nowMs ?? Date.now;
  const metrics = options.metrics ?? new HttpMetrics(options.services.metrics);
  const ctx: AppContext = {
    services: options.services,
    intake: new LinkIntake(options.services, metrics, options.limits, nowMs),
    metrics,
    scanPageLifetimeMs: (options.scanPageLifetimeSeconds ?? 3600) * 1000,
    maxBatch: options.maxBatch,
    metricsToken: options.metricsToken,
    nowMs,
    auth: options.auth,
  };

  const identity = options.identity;
  const embedded: EmbeddedSecondFactor | undefined =
    identity?.issuer !== undefined && identity.checkTotpNow !== undefined ? { issuer: identity.issuer, checkTotpNow: identity.checkTotpNow.bind(identity) } : undefined;
  const freshFactor = new FreshSecondFactor(options.auth, embedded, nowMs);

  const app = Fastify({
    ...(options.tls === undefined ? {} : { https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' as const } }),
    logger: options.logger,
    // The default request log would print URLs, and a link's URL is its payload.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: fastifyTrustProxy(options.trustProxy),
    // A QR code holds up to 7,089 digits; the default 100-character cap would turn long links into 404s.
    routerOptions: { maxParamLength: 10_000 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 65_000,
    requestTimeout: 30_000,
    // Every log line of a request carries its id (pino's reqId), and the answer names it, so a
    // person reporting a problem can quote it. Our own ids: a client's header is never trusted into the log.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
  }) as unknown as FastifyInstance;

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });

  installSecurityHeaders(app);
  registerCookies(app);
  if (options.trustProxy !== false) installForwardedHttpsOnly(app, { publicUrl: options.publicUrl });
  installErrorResponses(app);
  // Before authentication: a blocked source's scan costs a lookup in memory and nothing else.
  const defense = options.services.defense;
  if (defense !== undefined) installSourceBlockGuard(app, defense.blocks, new DefenseMetrics(metrics.registry, defense.blocks), nowMs);
  installAuthentication(app, options.auth);
  // Before any route: a route without a declared policy cannot be registered.
  installPolicy(app, options.services.tenancy?.resolver);
  // After the policy (a stranger still gets 401 first), before any schema or handler sees the text.
  installTextGuard(app);
  app.addHook('onResponse', async (request, reply) => {
    const route = routeLabel(request);
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    request.log.debug({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  registerHealthRoutes(app, ctx);
  registerMetricsRoute(app, ctx);
  registerScanPageRoutes(app, ctx);
  if (options.services.missions !== undefined) registerConsigneePageRoute(app, options.services.missions, options.consigneeExtras ?? consigneeExtrasOf(options.services));
  const tenancy = options.services.tenancy;
  // The scan API routes too: in the OpenAPI scope when there is one.
  if (tenancy === undefined) { registerScanLocationRoute(app, ctx); registerScanBatchRoute(app, ctx); }
  // The token endpoint belongs to the API: inside its OpenAPI scope when there is one.
  if (options.auth !== undefined) registerAuthRoutes(app, options.auth, { tokenRoutes: tenancy === undefined });
  options.identity?.register(app);
  if (tenancy !== undefined) registerKeyExportPageRoutes(app, tenancy, freshFactor);
  registerScanLinkRoute(app, ctx);
  const notifications = options.services.notifications;
  if (notifications !== undefined) registerUnsubscribeRoutes(app, notifications);
  registerWebAppRoutes(app, options.webApp);
  if (tenancy !== undefined) {
    // The OpenAPI collector first: it learns the API routes as they are registered after it.
    void app.register(async (scope) => {
      await registerOpenApiCollector(scope, { publicUrl: options.publicUrl });
      await scope.register((api, _options, done) => {
        useZodSchemas(api);
        const mailer = options.invitationMailer ?? logOnlyInvitationMailer((m) => { api.log.warn(m); });
        const apiContext = { services: tenancy, mailer, missions: options.services.missions, publicUrl: options.publicUrl, freshFactor, anomalies: options.services.anomalies, defense: options.services.defense };
        registerApiRoutes(api, apiContext);
        if (options.services.alerts !== undefined) registerAlertRoutes(api, options.services.alerts);
        if (notifications !== undefined) registerNotificationPreferenceRoutes(api, apiContext, notifications);
        if (options.auth !== undefined) registerTokenRoutes(api, options.auth);
        if (options.auth !== undefined) registerSignOutEverywhereRoute(api, options.auth, options.identity?.endUserSessions?.bind(options.identity));
        registerScanLocationRoute(api, ctx);
        registerScanBatchRoute(api, ctx);
        done();
      });
      await registerOpenApiRoutes(scope);
    });
  }
  return app;
}

/** A hop count becomes the function Fastify applies per hop (its types take no number). */
function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

/** The route pattern, never the URL: bounded label values, and no link digits in metrics. */
function routeLabel(request: FastifyRequest): string {
  const url = request.routeOptions.url;
  if (url === undefined) return 'unmatched';
  return url === '/*' ? '/<link>' : url;
}

/** Logger options for a real server: what a request log line may contain, and nothing of a URL. */
export function serverLoggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    serializers: {
      req: (req: FastifyRequest) => ({ method: req.method, route: req.routeOptions.url, remoteAddress: req.ip }),
    },
    redact: { paths: ['req.headers.authorization', 'headers.authorization'], remove: true },
  };
}
