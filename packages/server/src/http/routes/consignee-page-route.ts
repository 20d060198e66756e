import type { FastifyInstance, FastifyReply } from 'fastify';
import { addressKey } from '../../common/address-key.ts';
import { AppError } from '../../common/app-error.ts';
import type { HtmlPage } from '../../common/html-page.ts';
import { RateLimiter, type RateLimit } from '../../common/rate-limiter.ts';
import { consigneeView } from '../../core/missions/consignee-view.ts';
import type { MissionServices } from '../../core/missions/mission-services.ts';
import { consigneeNotFoundPage, consigneePage, type ConsigneeExtraSections } from '../pages/consignee-page.ts';
import { CONSIGNEE_PATH_PREFIX } from '../paths.ts';

/**
 * What other parts of qrlog add to a consignee's page of a mission, scoped to that mission and to
 * the token that opened it: the mission's alerts (e.g. `alerts.list({ orgIds: [orgId] }, { missionId })`)
 * and report downloads under the same token (`/consignee/<token>/report.pdf`, routes of the
 * reports part). The composition root passes it to buildApp (`consigneeExtras`); without it the
 * page shows the mission alone.
 */
export type ConsigneePageExtras = (opened: { missionId: string; linkId: string; token: string }) => Promise<ConsigneeExtraSections>;

/**
 * The consignee's public page: a capability URL. An unknown, expired or revoked token gets the same
 * 404 page; a live one shows that mission only, and its opening is logged. No-referrer (also set
 * for every answer) keeps the token out of any Referer.
 */
/** Two pages a second from one address, sustained: a consignee reloading is far below; each opening is a logged write. */
const OPENINGS: RateLimit = { perMinute: 120, burst: 120 };

export function registerConsigneePageRoute(app: FastifyInstance, services: MissionServices, extras?: ConsigneePageExtras): void {
  const notFound = consigneeNotFoundPage();
  const perAddress = new RateLimiter(OPENINGS);
  app.get<{ Params: { token: string } }>(`${CONSIGNEE_PATH_PREFIX}/:token`, { config: { policy: 'public', errors: 'page' } }, async (request, reply) => {
    if (!perAddress.take(addressKey(request.ip))) throw new AppError('rate-limited', 'too many requests: wait a minute');
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
