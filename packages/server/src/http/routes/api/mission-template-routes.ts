import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MissionServices } from '../../../core/missions/mission-services.ts';
import { accessOf } from '../../policy-hook.ts';
import { API_PREFIX, ERRORS, NO_CONTENT, ORG_PARAMS, page, PAGE_FIELDS, TEAM_ID } from './api-schemas.ts';
import { templateJson } from './mission-json.ts';
import { NEW_TEMPLATE, TEMPLATE, TEMPLATE_CHANGE, TEMPLATE_ID } from './mission-schemas.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { actingAs, targetOrg } from './tenancy-http.ts';

const TEMPLATE_PARAMS = z.strictObject({ templateId: TEMPLATE_ID });

/** Mission templates of an organization (or one of its teams): rules, recipients, MKT activation energy. */
export function registerMissionTemplateRoutes(app: FastifyInstance, services: MissionServices): void {
  const { templates } = services;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    `${API_PREFIX}/orgs/:orgId/mission-templates`,
    {
      config: { policy: { action: 'templates.manage', target: 'organization' } },
      schema: { tags: ['missions'], operationId: 'createMissionTemplate', summary: 'Make a mission template for a team (its members or admins) or the whole organization (admins)', params: ORG_PARAMS, body: NEW_TEMPLATE, response: { 201: TEMPLATE, ...ERRORS } },
    },
    async (request, reply) => {
      const template = await templates.create(targetOrg(request), request.body, accessOf(request).subject, actingAs(request));
      return reply.code(201).send(templateJson(template));
    },
  );

  api.get(
    `${API_PREFIX}/orgs/:orgId/mission-templates`,
    {
      config: { policy: { action: 'templates.read', target: 'organization' } },
      schema: {
        tags: ['missions'],
        operationId: 'listMissionTemplates',
        summary: 'The organization\u2019s mission templates you may use, by id',
        params: ORG_PARAMS,
        querystring: z.strictObject({ ...PAGE_FIELDS, teamId: TEAM_ID.optional().describe('Only this team\u2019s') }),
        response: { 200: page(TEMPLATE, 'Templates by id'), ...ERRORS },
      },
    },
    async (request) => {
      const { cursor, limit, teamId } = request.query;
      const afterId = decodeCursor(TEMPLATE_ID, cursor);
      const rows = await templates.list(targetOrg(request), accessOf(request).subject, { teamId, afterId, limit: limit + 1 });
      const p = toPage(rows, limit, (t) => t.id);
      return { items: p.items.map(templateJson), nextCursor: p.nextCursor };
    },
  );

  api.get(
    `${API_PREFIX}/mission-templates/:templateId`,
    {
      config: { policy: { action: 'templates.read', target: 'mission-template' } },
      schema: { tags: ['missions'], operationId: 'getMissionTemplate', summary: 'One mission template', params: TEMPLATE_PARAMS, response: { 200: TEMPLATE, ...ERRORS } },
    },
    async (request) => templateJson(await templates.get(request.params.templateId)),
  );

  api.patch(
    `${API_PREFIX}/mission-templates/:templateId`,
    {
      config: { policy: { action: 'templates.manage', target: 'mission-template' } },
      schema: { tags: ['missions'], operationId: 'updateMissionTemplate', summary: 'Change a template (missions made from it keep what they copied)', params: TEMPLATE_PARAMS, body: TEMPLATE_CHANGE, response: { 200: TEMPLATE, ...ERRORS } },
    },
    async (request) => templateJson(await templates.update(request.params.templateId, request.body, actingAs(request))),
  );

  api.delete(
    `${API_PREFIX}/mission-templates/:templateId`,
    {
      config: { policy: { action: 'templates.manage', target: 'mission-template' } },
      schema: { tags: ['missions'], operationId: 'deleteMissionTemplate', summary: 'Delete a template (missions made from it keep what they copied)', params: TEMPLATE_PARAMS, response: { 204: NO_CONTENT, ...ERRORS } },
    },
    async (request, reply) => {
      await templates.delete(request.params.templateId, actingAs(request));
      return reply.code(204).send(null);
    },
  );
}
