import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HtmlPage } from '../../common/html-page.ts';
import type { NotificationServices } from '../../core/notifications/notification-services.ts';
import { UNSUBSCRIBE_PATH } from '../../core/notifications/unsubscribe-links.ts';
import { unknownUnsubscribeLinkPage, unsubscribeConfirmPage, unsubscribedPage } from '../pages/unsubscribe-page.ts';

/**
 * The unsubscribe capability link of every notification mail: GET shows what it would stop, POST
 * (the page's button, or a mail client's one-click unsubscribe, RFC 8058) stops it. The token is
 * the only credential; the service's request log never shows a URL, and pages go out with
 * `Referrer-Policy: no-referrer` (security-headers.ts).
 */
export function registerUnsubscribeRoutes(app: FastifyInstance, notifications: NotificationServices): void {
  void app.register((scope, _options, done) => {
    // RFC 8058 posts `List-Unsubscribe=One-Click`; the page's form posts nothing. Neither body matters.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, _body, parsed) => {
      parsed(null, {});
    });
    const route = `${UNSUBSCRIBE_PATH}/:token`;
    scope.get<{ Params: { token: string } }>(route, { config: { policy: 'public', errors: 'page' } }, async (request, reply) => {
      const target = await notifications.unsubscribeLinks.describe(request.params.token);
      return target === null ? send(reply.code(404), unknownUnsubscribeLinkPage()) : send(reply, unsubscribeConfirmPage(target));
    });
    scope.post<{ Params: { token: string } }>(route, { config: { policy: 'public', errors: 'page' } }, async (request, reply) => {
      const target = await notifications.unsubscribeLinks.unsubscribe(request.params.token, request.ip);
      return target === null ? send(reply.code(404), unknownUnsubscribeLinkPage()) : send(reply, unsubscribedPage(target));
    });
    done();
  });
}

function send(reply: FastifyReply, page: HtmlPage): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('content-security-policy', page.contentSecurityPolicy).send(page.html);
}
