import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestSession } from '../../auth/authenticate.ts';
import { csrfTokenFor } from '../../auth/web-session-service.ts';
import { AppError } from '../../common/app-error.ts';
import type { HtmlPage } from '../../common/html-page.ts';
import type { KeyExportInfo } from '../../core/key-export/key-export-service.ts';
import type { TenancyServices } from '../../core/tenancy/tenancy-services.ts';
import type { FreshSecondFactor } from '../fresh-second-factor.ts';
import { adminKeyExportsPage, KEY_EXPORTS_PAGE, keyExportDownloadPage, keyExportDownloadPageHtml, operatorKeyExportsPage, type PageViewer } from '../pages/key-export-pages.ts';
import { accessOf } from '../policy-hook.ts';
import { keyExportViewer } from './api/key-export-routes.ts';

const EXPORT_ID = /^kx_[0-9a-z]{16}$/;

/** The emergency key export's pages for browsers (signed in with the session cookie). */
export function registerKeyExportPageRoutes(app: FastifyInstance, tenancy: TenancyServices, freshFactor: FreshSecondFactor): void {
  const { keyExports } = tenancy;

  app.get(KEY_EXPORTS_PAGE, { config: { policy: { action: 'key-exports.read' }, errors: 'page' } }, async (request, reply) => {
    const viewer = keyExportViewer(request);
    const requests = await keyExports.list(viewer);
    const page = await pageViewer(request, tenancy, requests);
    if (viewer.kind === 'operator') return sendPage(reply, operatorKeyExportsPage(requests, page));
    const { subject } = accessOf(request);
    const userId = subject.kind === 'user' ? subject.userId : '';
    return sendPage(reply, adminKeyExportsPage(requests, { ...page, userId, mayRequest: subject.kind === 'user' && subject.grants?.has('logger-key.read') === true }));
  });

  app.get<{ Params: { exportId: string } }>(`${KEY_EXPORTS_PAGE}/:exportId/download`, { config: { policy: { action: 'logger-key.read' }, errors: 'page' } }, async (request, reply) => {
    const viewer = keyExportViewer(request);
    const { exportId } = request.params;
    const found = EXPORT_ID.test(exportId) ? await keyExports.get(viewer, exportId) : undefined;
    if (found === undefined) throw new AppError('not-found', 'no such key export request');
    const here = keyExportDownloadPage(found.id);
    const freshSignIn = `/auth/login?fresh=1&return_to=${encodeURIComponent(here)}`;
    return sendPage(reply, keyExportDownloadPageHtml(found, await pageViewer(request, tenancy, [found]), freshFactor.kindOf(request), freshSignIn));
  });
}

async function pageViewer(request: FastifyRequest, tenancy: TenancyServices, requests: readonly KeyExportInfo[]): Promise<PageViewer> {
  const session = requestSession(request);
  if (session === undefined) throw new AppError('unauthorized', 'these pages are for a signed-in browser');
  const ids = new Set(requests.flatMap((x) => (x.decidedBy === null ? [x.requestedBy] : [x.requestedBy, x.decidedBy])));
  const names = new Map<string, string>();
  for (const id of ids) {
    const user = await tenancy.users.findById(id);
    if (user !== undefined) names.set(id, user.email);
  }
  return { csrfToken: csrfTokenFor(session.id), names };
}

/** Never cached: the pages carry the session's CSRF token and lead to a key. */
function sendPage(reply: FastifyReply, page: HtmlPage): FastifyReply {
  return reply
    .header('content-security-policy', page.contentSecurityPolicy)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(page.html);
}
