import type { FastifyInstance, FastifyReply } from 'fastify';
import { principalOf } from '../policy-hook.ts';
import { claimOfferFor, newestReadingsFor, recentChartsFor } from '../../core/tenancy/tenancy-scan-view.ts';
import { AUTH_PATHS } from '../../auth/auth-pages.ts';
import { PAGE_LOOK_CSS, PAGE_LOOK_PATH } from '../../common/page-look.ts';
import { WEB_APP_PREFIX } from './web-app-routes.ts';
import type { AppContext } from '../app-context.ts';
import { SCAN_ERROR_PATH, SCAN_PAGE_PREFIX, scanPagePath } from '../paths.ts';
import type { HtmlPage } from '../../common/html-page.ts';
import { expiredScanPage, scanPage } from '../pages/scan-page.ts';
import { scanErrorPage, scanErrorReasonOf } from '../pages/scan-error-page.ts';
import { SCAN_ID_PATTERN } from '../scan-id.ts';

/**
 * The two pages a scan ends on: the scan page (by its unguessable id, for a limited time, and
 * only for scans a phone made) and the generic error page.
 */
export function registerScanPageRoutes(app: FastifyInstance, ctx: AppContext): void {
  const errorPages = { generic: scanErrorPage(), 'unknown-logger': scanErrorPage('unknown-logger'), 'clock-ahead': scanErrorPage('clock-ahead') };
  const expired = expiredScanPage();

  app.get<{ Params: { scanId: string } }>(`${SCAN_PAGE_PREFIX}:scanId`, { config: { errors: 'scan', policy: 'public' } }, async (request, reply) => {
    const { scanId } = request.params;
    const scan = SCAN_ID_PATTERN.test(scanId) ? await ctx.services.scans.get(scanId) : undefined;
    if (scan?.via !== 'scan' || ctx.nowMs() - scan.receivedAt.getTime() > ctx.scanPageLifetimeMs) return sendPage(reply.code(404), expired);
    // The readings only for a signed-in user the policy lets read this logger; others see that the upload succeeded.
    const tenancy = ctx.services.tenancy;
    const newest = tenancy === undefined ? undefined : await newestReadingsFor(tenancy, principalOf(request), scan.serial);
    // An admin who scans a logger nobody owns yet may claim it from here.
    const claim = tenancy === undefined || newest !== undefined ? undefined : await claimOfferFor(tenancy, principalOf(request), { scanId, serial: scan.serial });
    const charts = tenancy === undefined || newest === undefined ? undefined : await recentChartsFor(tenancy.readings, ctx.services.missions?.coverage, scan.serial, newest);
    const signedIn = principalOf(request).kind === 'user';
    const account = signedIn
      ? newest === undefined ? undefined : { app: `${WEB_APP_PREFIX}loggers/${encodeURIComponent(scan.serial)}` }
      : { signIn: `${AUTH_PATHS.login}?return_to=${encodeURIComponent(scanPagePath(scanId))}` };
    const page = scanPage({
      serial: scan.serial,
      newReadings: scan.newReadings,
      newByChannel: scan.newByChannel,
      canAddLocation: !scan.locationAttached,
      chainIndex: scan.chainIndex,
      receipt: scan.receipt,
      alarms: scan.alarms,
      newest,
      charts,
      claim,
      account,
    });
    return sendPage(reply, page, 'geolocation=(self)');
  });

  // The look the service's own pages share with the web app; the same for everyone, so cacheable.
  app.get(PAGE_LOOK_PATH, { config: { policy: 'public' } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=86400').send(PAGE_LOOK_CSS),
  );

  app.get(SCAN_ERROR_PATH, { config: { policy: 'public' } }, async (request, reply) => sendPage(reply, errorPages[scanErrorReasonOf(request.query) ?? 'generic']));
}

function sendPage(reply: FastifyReply, page: HtmlPage, permissions?: string): FastifyReply {
  reply.header('content-security-policy', page.contentSecurityPolicy);
  if (permissions !== undefined) reply.header('permissions-policy', permissions);
  return reply.type('text/html; charset=utf-8').send(page.html);
}
