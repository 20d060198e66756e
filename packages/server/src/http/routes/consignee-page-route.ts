import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HtmlPage } from '../../common/html-page.ts';
import { consigneeView } from '../../core/missions/consignee-view.ts';
import type { MissionServices } from '../../core/missions/mission-services.ts';
import { consigneeNotFoundPage, consigneePage, type ConsigneeExtraSections } from '../pages/consignee-page.ts';
import { CONSIGNEE_PATH_PREFIX } from '../paths.ts';

/**
 * What other parts of qrlog add to a consignee's page of a mission, scoped to that mission and to
 * the token that opened it (e.g. the mission's alerts, and report downloads under the same token).
 * The integrator wires alerts and reports in here; without it the page shows the mission alone.
 */
export type ConsigneePageExtras = (opened: { missionId: string; linkId: string; token: string }) => Promise<ConsigneeExtraSections>;

/**
 * The consignee's public page: a capability URL. An unknown, expired or revoked token gets the same
 * 404 page; a live one shows that mission only, and its opening is logged. No-referrer (also set
 * for every answer) keeps the token out of any Referer.
 */
export function registerConsigneePageRoute(app: FastifyInstance, services: MissionServices, extras?: ConsigneePageExtras): void {
  const notFound = consigneeNotFoundPage();
  app.get<{ Params: { token: string } }>(`${CONSIGNEE_PATH_PREFIX}/:token`, { config: { policy: 'public', errors: 'page' } }, async (request, reply) => {
    const { token } = request.params;
    const opened = await services.publicLinks.open(token, request.ip);
    const mission = opened === undefined ? undefined : await services.missions.find(opened.missionId);
    if (opened === undefined || mission === undefined) return sendPage(reply.code(404), notFound);
    const view = await consigneeView(mission, services.readings, new Date());
    return sendPage(reply, consigneePage(view, extras === undefined ? {} : await extras({ ...opened, token })));
  });
}

function sendPage(reply: FastifyReply, page: HtmlPage): FastifyReply {
  reply.header('content-security-policy', page.contentSecurityPolicy);
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-robots-tag', 'noindex, nofollow');
  return reply.type('text/html; charset=utf-8').send(page.html);
}
