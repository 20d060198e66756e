import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './api-context.ts';
import { registerApiKeyRoutes } from './api-key-routes.ts';
import { registerClaimShareRoutes } from './claim-share-routes.ts';
import { registerKeyExportRoutes } from './key-export-routes.ts';
import { registerDefenseRoutes } from './defense-routes.ts';
import { registerLogRoutes } from './log-routes.ts';
import { registerLoggerRoutes } from './logger-routes.ts';
import { registerMeRoute } from './me-route.ts';
import { registerMemberRoutes } from './member-routes.ts';
import { registerMissionRoutes } from './mission-routes.ts';
import { registerMissionShareLinkRoutes } from './mission-share-link-routes.ts';
import { registerMissionTemplateRoutes } from './mission-template-routes.ts';
import { registerOrganizationRoutes } from './organization-routes.ts';
import { registerPlatformRoutes } from './platform-routes.ts';
import { registerReadingRoutes } from './reading-routes.ts';
import { registerReportRoutes } from './report-routes.ts';
import { registerTeamRoutes } from './team-routes.ts';
import { registerAnomalyRoutes } from './anomaly-routes.ts';

/** Every /api/v1 route (identity, tenants, loggers, readings, logs, API keys, missions). */
export function registerApiRoutes(app: FastifyInstance, ctx: ApiContext): void {
  registerMeRoute(app, ctx);
  registerOrganizationRoutes(app, ctx);
  registerTeamRoutes(app, ctx);
  registerMemberRoutes(app, ctx);
  registerLoggerRoutes(app, ctx);
  registerReadingRoutes(app, ctx);
  registerReportRoutes(app, ctx);
  registerClaimShareRoutes(app, ctx);
  registerLogRoutes(app, ctx);
  registerPlatformRoutes(app, ctx);
  registerApiKeyRoutes(app, ctx);
  if (ctx.missions !== undefined) {
    registerMissionRoutes(app, ctx.missions);
    registerMissionShareLinkRoutes(app, ctx.missions, ctx.publicUrl);
    registerMissionTemplateRoutes(app, ctx.missions);
  }
  registerKeyExportRoutes(app, ctx);
  if (ctx.anomalies !== undefined) registerAnomalyRoutes(app, ctx.anomalies);
  if (ctx.defense !== undefined) registerDefenseRoutes(app, ctx.defense);
}
