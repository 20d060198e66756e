import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accessOf } from '../../policy-hook.ts';
import type { Organization } from '../../../core/tenancy/tenancy-service.ts';
import { AppError } from '../../../common/app-error.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERRORS, iso, NAME, ORG_PARAMS, ORGANIZATION, page, PAGE_QUERY, TEAM } from './api-schemas.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { actingAs, targetOrg } from './tenancy-http.ts';

export function organizationJson(o: Organization) {
  return { id: o.id, name: o.name, operatorAccess: o.operatorAccess, createdAt: iso(o.createdAt) };
}

/** Organizations: operators create and list them; members read their own; admins rename and grant operator access. */
export function registerOrganizationRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { queries, tenancy } = ctx.services;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    `${API_PREFIX}/orgs`,
    {
      config: { policy: { action: 'org.list' } },
      schema: {
        tags: ['organizations'],
        operationId: 'listOrganizations',
        summary: 'Organizations you can see (operators: all)',
        querystring: PAGE_QUERY,
        response: { 200: page(ORGANIZATION, 'Organizations by id'), ...ERRORS },
      },
    },
    async (request) => {
      const after = decodeCursor(z.string(), request.query.cursor);
      const { limit } = request.query;
      const rows = await queries.organizations(accessOf(request).subject, after, limit + 1);
      const p = toPage(rows, limit, (o) => o.id);
      return { items: p.items.map(organizationJson), nextCursor: p.nextCursor };
    },
  );

  api.post(
    `${API_PREFIX}/orgs`,
    {
      config: { policy: { action: 'org.create' } },
      schema: {
        tags: ['organizations'],
        operationId: 'createOrganization',
        summary: 'Create an organization (operators); it starts with a team named "default"',
        body: z.strictObject({ name: NAME }),
        response: { 201: z.object({ organization: ORGANIZATION, defaultTeam: TEAM }), ...ERRORS },
      },
    },
    async (request, reply) => {
      const { organization, defaultTeam } = await tenancy.createOrganization(request.body.name, actingAs(request));
      return reply.code(201).send({
        organization: organizationJson(organization),
        defaultTeam: { id: defaultTeam.id, orgId: defaultTeam.orgId, name: defaultTeam.name, createdAt: iso(defaultTeam.createdAt) },
      });
    },
  );

  api.get(
    `${API_PREFIX}/orgs/:orgId`,
    {
      config: { policy: { action: 'org.read', target: 'organization' } },
      schema: {
        tags: ['organizations'],
        operationId: 'getOrganization',
        summary: 'One organization',
        params: ORG_PARAMS,
        response: { 200: ORGANIZATION, ...ERRORS },
      },
    },
    async (request) => {
      const org = await queries.organization(targetOrg(request));
      if (org === undefined) throw new AppError('not-found', 'nothing here');
      return organizationJson(org);
    },
  );

  api.patch(
    `${API_PREFIX}/orgs/:orgId`,
    {
      config: { policy: { action: 'org.update', target: 'organization' } },
      schema: {
        tags: ['organizations'],
        operationId: 'updateOrganization',
        summary: 'Rename, or grant / withdraw operator access to readings (the organization\u2019s admins)',
        params: ORG_PARAMS,
        body: z
          .strictObject({ name: NAME.optional(), operatorAccess: z.boolean().optional() })
          .refine((b) => b.name !== undefined || b.operatorAccess !== undefined, 'send name or operatorAccess'),
        response: { 200: ORGANIZATION, ...ERRORS },
      },
    },
    async (request) => {
      const { name, operatorAccess } = request.body;
      const org = await tenancy.updateOrganization(targetOrg(request), { ...(name === undefined ? {} : { name }), ...(operatorAccess === undefined ? {} : { operatorAccess }) }, actingAs(request));
      return organizationJson(org);
    },
  );
}
