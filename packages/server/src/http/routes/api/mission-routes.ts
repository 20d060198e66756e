import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accessOf } from '../../policy-hook.ts';
import { teamAccess } from '../../../core/access/policy.ts';
import type { MissionServices } from '../../../core/missions/mission-services.ts';
import { API_PREFIX, ERROR, ERRORS, NO_CONTENT, page, PAGE_FIELDS, SERIAL, TEAM_ID, SHARE_ACCESS } from './api-schemas.ts';
import { actingAs } from './tenancy-http.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { dateOf, missionJson, missionSummaryJson } from './mission-json.ts';
import { ADD_LOGGER, LOGGER_PERIOD, MISSION, MISSION_CHANGE, MISSION_ID, MISSION_STATUS, MISSION_SUMMARY, NEW_MISSION, PERIOD_ID, STATUS_CHANGE } from './mission-schemas.ts';

const MISSION_PARAMS = z.strictObject({ missionId: MISSION_ID });
const MISSION_DETAIL = MISSION.extend({ yourAccess: SHARE_ACCESS.describe('What you may do with this mission') });
const LIST_QUERY = z.strictObject({
  ...PAGE_FIELDS,
  status: MISSION_STATUS.optional(),
  teamId: TEAM_ID.optional().describe('Owned by or shared with this team'),
  serial: SERIAL.optional().describe('With a period of this logger'),
});

/** Missions: made (from a template or from scratch), listed, read, changed, moved forward, given loggers. */
export function registerMissionRoutes(app: FastifyInstance, services: MissionServices): void {
  const { missions } = services;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    `${API_PREFIX}/teams/:teamId/missions`,
    {
      config: { policy: { action: 'missions.create', target: 'team' } },
      schema: {
        tags: ['missions'],
        operationId: 'createMission',
        summary: 'Make a mission owned by this team, from a template (its rules, recipients and MKT activation energy are copied) or from scratch, with its loggers\u2019 periods',
        params: z.strictObject({ teamId: TEAM_ID }),
        body: NEW_MISSION,
        response: { 201: MISSION, 409: ERROR, ...ERRORS },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const mission = await missions.create(
        {
          teamId: request.params.teamId,
          name: b.name,
          templateId: b.templateId,
          plannedStart: dateOf(b.plannedStart),
          plannedEnd: dateOf(b.plannedEnd),
          origin: b.origin,
          destination: b.destination,
          recipients: b.recipients,
          rules: b.rules,
          mktActivationEnergy: b.mktActivationEnergy,
          loggers: b.loggers?.map((l) => ({ serial: l.serial, from: dateOf(l.from), to: dateOf(l.to) })),
        },
        accessOf(request).subject,
        actingAs(request),
      );
      return reply.code(201).send(missionJson(mission));
    },
  );

  api.get(
    `${API_PREFIX}/missions`,
    {
      config: { policy: { action: 'missions.list' } },
      schema: { tags: ['missions'], operationId: 'listMissions', summary: 'Missions you can see, by id; filter by status, team or logger', querystring: LIST_QUERY, response: { 200: page(MISSION_SUMMARY, 'Missions by id'), ...ERRORS } },
    },
    async (request) => {
      const { cursor, limit, status, teamId, serial } = request.query;
      const afterId = decodeCursor(MISSION_ID, cursor);
      const rows = await missions.list(accessOf(request).subject, {
        ...(status === undefined ? {} : { status }),
        ...(teamId === undefined ? {} : { teamId }),
        ...(serial === undefined ? {} : { serial }),
        ...(afterId === undefined ? {} : { afterId }),
        limit: limit + 1,
      });
      const p = toPage(rows, limit, (m) => m.id);
      return { items: p.items.map(missionSummaryJson), nextCursor: p.nextCursor };
    },
  );

  api.get(
    `${API_PREFIX}/missions/:missionId`,
    {
      config: { policy: { action: 'mission.read', target: 'mission' } },
      schema: { tags: ['missions'], operationId: 'getMission', summary: 'One mission: its rules, recipients, logger periods and shares', params: MISSION_PARAMS, response: { 200: MISSION_DETAIL, ...ERRORS } },
    },
    async (request) => {
      const access = accessOf(request);
      const mission = await missions.detail(request.params.missionId);
      const target = access.target;
      const yourAccess =
        access.standing === 'user' && target?.kind === 'mission'
          ? (teamAccess(access.subject, target) ?? 'read')
          : ['admin', 'key-write', 'key-admin'].includes(access.standing)
            ? 'read-write'
            : 'read';
      return { ...missionJson(mission), yourAccess };
    },
  );

  api.patch(
    `${API_PREFIX}/missions/:missionId`,
    {
      config: { policy: { action: 'mission.write', target: 'mission' } },
      schema: { tags: ['missions'], operationId: 'updateMission', summary: 'Change a mission\u2019s name, plans, places, recipients, rules (not once closed)', params: MISSION_PARAMS, body: MISSION_CHANGE, response: { 200: MISSION, 409: ERROR, ...ERRORS } },
    },
    async (request) => {
      const b = request.body;
      const mission = await missions.update(
        request.params.missionId,
        { ...b, plannedStart: dateOf(b.plannedStart), plannedEnd: dateOf(b.plannedEnd) },
        actingAs(request),
      );
      return missionJson(mission);
    },
  );

  api.post(
    `${API_PREFIX}/missions/:missionId/status`,
    {
      config: { policy: { action: 'mission.write', target: 'mission' } },
      schema: {
        tags: ['missions'],
        operationId: 'changeMissionStatus',
        summary: 'Move a mission one step forward: planned \u2192 in-transit (sets the actual start) \u2192 delivered (sets the actual end, ends open logger periods, sends the report) \u2192 closed',
        params: MISSION_PARAMS,
        body: STATUS_CHANGE,
        response: { 200: MISSION, 409: ERROR, ...ERRORS },
      },
    },
    async (request) => missionJson(await missions.changeStatus(request.params.missionId, request.body.status, actingAs(request), dateOf(request.body.at))),
  );

  api.post(
    `${API_PREFIX}/missions/:missionId/loggers`,
    {
      config: { policy: { action: 'mission.write', target: 'mission' } },
      schema: {
        tags: ['missions'],
        operationId: 'addMissionLogger',
        summary: 'Give the mission a logger for a period; 409 (naming the mission) when the logger serves another mission for part of it',
        params: MISSION_PARAMS,
        body: ADD_LOGGER,
        response: { 201: LOGGER_PERIOD, 409: ERROR, ...ERRORS },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const period = await missions.addLogger(request.params.missionId, { serial: b.serial, from: dateOf(b.from), to: dateOf(b.to) }, accessOf(request).subject, actingAs(request));
      return reply.code(201).send({ id: period.id, serial: period.serial, from: period.from.toISOString(), to: period.to?.toISOString() ?? null });
    },
  );

  api.delete(
    `${API_PREFIX}/missions/:missionId/loggers/:periodId`,
    {
      config: { policy: { action: 'mission.write', target: 'mission' } },
      schema: { tags: ['missions'], operationId: 'removeMissionLogger', summary: 'Take a logger period out of the mission', params: z.strictObject({ missionId: MISSION_ID, periodId: PERIOD_ID }), response: { 204: NO_CONTENT, 409: ERROR, ...ERRORS } },
    },
    async (request, reply) => {
      await missions.removeLogger(request.params.missionId, request.params.periodId, actingAs(request));
      return reply.code(204).send(null);
    },
  );
}
