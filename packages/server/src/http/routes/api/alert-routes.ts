import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { alertScope } from '../../../core/alerts/alert-scope.ts';
import { MAX_COMMENT, type AlertService } from '../../../core/alerts/alert-service.ts';
import type { Alert, AlertComment } from '../../../core/alerts/alert-view.ts';
import { teamAccess } from '../../../core/access/policy.ts';
import { accessOf } from '../../policy-hook.ts';
import { API_PREFIX, ERROR, ERRORS, iso, ORG_ID, PAGE_FIELDS, SERIAL, SHARE_ACCESS, TEAM_ID, TIME } from './api-schemas.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { actingAs } from './tenancy-http.ts';

const ALERT_ID = z.string().regex(/^alr_[0-9a-z]{24}$/).describe('An alert id');
const MISSION_ID = z.string().min(1).max(64).regex(/^[0-9A-Za-z_-]+$/).describe('A mission id');
const SEVERITY = z.enum(['info', 'warning', 'critical']);
const STATE = z.enum(['open', 'acknowledged', 'closed', 'superseded']);
const COMMENT = z.string().trim().min(1).max(MAX_COMMENT);

const ALERT = z.object({
  id: ALERT_ID,
  orgId: ORG_ID,
  teamId: TEAM_ID.describe('The mission\u2019s team'),
  missionId: z.string(),
  serial: SERIAL,
  ruleId: z.string(),
  ruleKind: z.string().describe('limit, cumulative, rate, gap, shock, logger-alarm or no-scan'),
  severity: SEVERITY,
  channel: z.string().describe('The channel, `shock`, or `scans` (no-scan)'),
  startedAt: TIME,
  endedAt: TIME,
  worst: z.number().describe('The value furthest outside (limit, cumulative), fastest change per hour (rate), seconds (gap, no-scan, logger-alarm), g (shock)'),
  extent: z.number().describe('Readings involved (cumulative: seconds outside)'),
  ongoing: z.boolean().describe('The newest reading is still part of it'),
  state: STATE,
  raisedAt: TIME,
  updatedAt: TIME,
  acknowledged: z.object({ by: z.string(), at: TIME, comment: z.string().nullable() }).nullable(),
  closed: z
    .object({
      by: z.string(),
      at: TIME,
      comment: z.string().nullable(),
      reason: z.enum(['back-in-range', 'by-hand', 'disproved', 'merged']).describe('superseded alerts: disproved by later readings, or merged into `into`'),
      into: ALERT_ID.nullable(),
    })
    .nullable(),
});
const COMMENT_JSON = z.object({ author: z.string(), body: z.string(), at: TIME });
const ALERT_DETAIL = ALERT.extend({ comments: z.array(COMMENT_JSON), yourAccess: SHARE_ACCESS.describe('What you may do with this alert: read-write may acknowledge, comment and close') });
const ALERT_PARAMS = z.strictObject({ alertId: ALERT_ID });
const CURSOR = z.tuple([z.number().int(), ALERT_ID]);

function alertJson(a: Alert) {
  return {
    ...a,
    startedAt: iso(a.startedAt),
    endedAt: iso(a.endedAt),
    raisedAt: iso(a.raisedAt),
    updatedAt: iso(a.updatedAt),
    acknowledged: a.acknowledged === null ? null : { ...a.acknowledged, at: iso(a.acknowledged.at) },
    closed: a.closed === null ? null : { ...a.closed, at: iso(a.closed.at) },
  };
}

function commentJson(c: AlertComment) {
  return { ...c, at: iso(c.at) };
}

/** Alerts: the list one may see (filtered, paged, counted), one with its comments, and acting on it. */
export function registerAlertRoutes(app: FastifyInstance, alerts: AlertService): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    `${API_PREFIX}/alerts`,
    {
      config: { policy: { action: 'alerts.list' } },
      schema: {
        tags: ['alerts'],
        operationId: 'listAlerts',
        summary: 'Alerts one may see, newest first, with the total count of those matching the filters',
        querystring: z.strictObject({ ...PAGE_FIELDS, severity: SEVERITY.optional(), state: STATE.optional(), missionId: MISSION_ID.optional(), serial: SERIAL.optional() }),
        response: { 200: z.object({ items: z.array(ALERT), nextCursor: z.string().nullable(), total: z.int() }).describe('A page of alerts'), ...ERRORS },
      },
    },
    async (request) => {
      const { cursor, limit, ...filters } = request.query;
      const after = decodeCursor(CURSOR, cursor);
      const { items, total } = await alerts.list(alertScope(accessOf(request).subject), {
        ...filters,
        ...(after === undefined ? {} : { after: { raisedAt: after[0], id: after[1] } }),
        limit: limit + 1,
      });
      const p = toPage(items, limit, (a) => [a.raisedAt.getTime(), a.id]);
      return { items: p.items.map(alertJson), nextCursor: p.nextCursor, total };
    },
  );

  api.get(
    `${API_PREFIX}/alerts/:alertId`,
    {
      config: { policy: { action: 'alert.read', target: 'alert' } },
      schema: { tags: ['alerts'], operationId: 'getAlert', summary: 'One alert with its comment thread', params: ALERT_PARAMS, response: { 200: ALERT_DETAIL, ...ERRORS } },
    },
    async (request) => {
      const alert = await alerts.get(request.params.alertId);
      // The policy found it; gone since would be a bug (alerts are never deleted).
      if (alert === undefined) throw new Error('alert vanished');
      // As alert.act decides (policy.ts): a person by their teams' access to the alert's logger and mission, an API key by its scope.
      const access = accessOf(request);
      const target = access.target;
      const yourAccess =
        access.standing === 'user' && target?.kind === 'alert'
          ? (teamAccess(access.subject, target) ?? 'read')
          : ['admin', 'key-write', 'key-admin'].includes(access.standing)
            ? 'read-write'
            : 'read';
      return { ...alertJson(alert), comments: alert.comments.map(commentJson), yourAccess };
    },
  );

  api.post(
    `${API_PREFIX}/alerts/:alertId/acknowledge`,
    {
      config: { policy: { action: 'alert.act', target: 'alert' } },
      schema: {
        tags: ['alerts'],
        operationId: 'acknowledgeAlert',
        summary: 'Acknowledge an open alert (who and when are recorded), with an optional comment',
        params: ALERT_PARAMS,
        body: z.strictObject({ comment: COMMENT.optional() }),
        response: { 200: ALERT, 409: ERROR, ...ERRORS },
      },
    },
    async (request) => alertJson(await alerts.acknowledge(request.params.alertId, request.body.comment ?? null, actingAs(request))),
  );

  api.post(
    `${API_PREFIX}/alerts/:alertId/comments`,
    {
      config: { policy: { action: 'alert.act', target: 'alert' } },
      schema: {
        tags: ['alerts'],
        operationId: 'commentAlert',
        summary: 'Add a comment to an alert\u2019s thread',
        params: ALERT_PARAMS,
        body: z.strictObject({ body: COMMENT }),
        response: { 201: ALERT, ...ERRORS },
      },
    },
    async (request, reply) => reply.code(201).send(alertJson(await alerts.comment(request.params.alertId, request.body.body, actingAs(request)))),
  );

  api.post(
    `${API_PREFIX}/alerts/:alertId/close`,
    {
      config: { policy: { action: 'alert.act', target: 'alert' } },
      schema: {
        tags: ['alerts'],
        operationId: 'closeAlert',
        summary: 'Close an alert by hand, saying why',
        params: ALERT_PARAMS,
        body: z.strictObject({ comment: COMMENT }),
        response: { 200: ALERT, 409: ERROR, ...ERRORS },
      },
    },
    async (request) => alertJson(await alerts.close(request.params.alertId, request.body.comment, actingAs(request))),
  );
}
