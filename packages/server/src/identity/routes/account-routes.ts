import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FlowResult } from '../account-flows.ts';
import { ACCOUNT_PATHS, WEB_HOME_PATH } from '../identity-paths.ts';
import type { AccountPage } from '../pages/account-page.ts';
import { invitationPage, passwordChangePage, resetConfirmPage, resetRequestPage, setupPage, twoFactorStartPage } from '../pages/account-pages.ts';
import { enrolPage, messagePage } from '../pages/sign-in-pages.ts';
import { WRONG_NEW_CODE } from '../sign-in-flow.ts';
import { invitationBody, passwordChangeBody, resetConfirmBody, resetRequestBody, setupBody, stepCodeBody, twoFactorStartBody } from './form-bodies.ts';
import { sendPage, type IdentityRouteContext } from './identity-route-context.ts';
import { admitted } from './interaction-routes.ts';

const SIGN_IN: readonly [string, string] = [WEB_HOME_PATH, 'Go to qrlog and sign in'];

/** What a new password did to the account's sessions, for its page ('every': a reset; 'other': a change, this browser stays). */
function signedOutText(r: FlowResult, which: 'every' | 'other'): string {
  const ended = r.status === 'done' && r.ended !== undefined ? r.ended.web + r.ended.provider : 0;
  if (which === 'every') return 'Every device and browser that was signed in to your account has been signed out.';
  return ended === 0 ? 'No other browser or device was signed in to your account.' : 'Every other browser and device that was signed in to your account has been signed out; this one stays signed in.';
}

/**
 * The account pages outside a sign-in: password reset (request and link), invitation, operator
 * setup, password change and authenticator setup. Each GET shows its form, each POST answers
 * with the next page.
 */
export function registerAccountRoutes(app: FastifyInstance, ctx: IdentityRouteContext): void {
  const csrf = (request: FastifyRequest, reply: FastifyReply): string => ctx.formGuard.tokenFor(request, reply);
  const show = (path: string, page: (o: { action: string; csrf: string }) => AccountPage): void => {
    app.get(path, { config: { policy: 'public' } }, async (request, reply) => sendPage(reply, page({ action: path, csrf: csrf(request, reply) })));
  };
  /** The page after a flow: done, the enrolment page, or the same form again with the reason. */
  const after = (request: FastifyRequest, reply: FastifyReply, r: FlowResult, again: (error: string) => AccountPage, done: AccountPage): FastifyReply | Promise<FastifyReply> => {
    if (r.status === 'done') return sendPage(reply, done);
    if (r.status === 'enrol') return sendPage(reply, enrolPage({ action: ACCOUNT_PATHS.enrol, csrf: csrf(request, reply), view: r.view, required: r.required }));
    return sendPage(reply, again(r.message), r.credentials ? 401 : 400);
  };

  show(ACCOUNT_PATHS.reset, resetRequestPage);
  app.post(ACCOUNT_PATHS.reset, { config: { policy: 'public' } }, async (request, reply) => {
    const form = await admitted(ctx, request, reply, resetRequestBody);
    if (form === undefined) return reply;
    // Not awaited: the answer, and how long it takes, are the same for every address.
    ctx.flows.requestReset(form.email, request.ip).catch((e: unknown) => {
      ctx.onBackgroundError('password reset mail', e);
    });
    return sendPage(
      reply,
      messagePage('Check your email', 'If an account uses that address, a link to choose a new password is on its way to it. The link works for 30 minutes.', SIGN_IN),
    );
  });

  show(ACCOUNT_PATHS.resetConfirm, resetConfirmPage);
  app.post(ACCOUNT_PATHS.resetConfirm, { config: { policy: 'public' } }, async (request, reply) => {
    const form = await admitted(ctx, request, reply, resetConfirmBody);
    if (form === undefined) return reply;
    const r = await ctx.flows.completeReset(form, request.ip);
    return after(
      request,
      reply,
      r,
      (error) => resetConfirmPage({ action: ACCOUNT_PATHS.resetConfirm, csrf: csrf(request, reply), token: form.token, error }),
      messagePage('Password changed', `Your new password is set. ${signedOutText(r, 'every')} Sign in with the new password.`, SIGN_IN),
    );
  });

  show(ACCOUNT_PATHS.invitation, invitationPage);
  app.post(ACCOUNT_PATHS.invitation, { config: { policy: 'public' } }, async (request, reply) => {
    const form = await admitted(ctx, request, reply, invitationBody);
    if (form === undefined) return reply;
    const r = await ctx.flows.acceptInvitation(form, request.ip);
    return after(
      request,
      reply,
      r,
      (error) => invitationPage({ action: ACCOUNT_PATHS.invitation, csrf: csrf(request, reply), token: form.token, error }),
      messagePage('Your account is ready', 'Your password is set. Sign in with your email address and it.', SIGN_IN),
    );
  });

  show(ACCOUNT_PATHS.setup, setupPage);
  app.post(ACCOUNT_PATHS.setup, { config: { policy: 'public' } }, async (request, reply) => {
    const form = await admitted(ctx, request, reply, setupBody);
    if (form === undefined) return reply;
    const r = await ctx.flows.completeSetup(form, request.ip);
    return after(
      request,
      reply,
      r,
      (error) => setupPage({ action: ACCOUNT_PATHS.setup, csrf: csrf(request, reply), token: form.token, email: form.email, error }),
      messagePage('Operator account ready', 'Sign in with your email address, password and authenticator app.', SIGN_IN),
    );
  });

  show(ACCOUNT_PATHS.password, passwordChangePage);
  app.post(ACCOUNT_PATHS.password, { config: { policy: 'public' } }, async (request, reply) => {
    const form = await admitted(ctx, request, reply, passwordChangeBody);
    if (form === undefined) return reply;
    const r = await ctx.flows.changePassword(form, request.ip, request);
    return after(
      request,
      reply,
      r,
      (error) => passwordChangePage({ action: ACCOUNT_PATHS.password, csrf: csrf(request, reply), email: form.email, error }),
      messagePage('Password changed', `Your new password is set. ${signedOutText(r, 'other')}`, SIGN_IN),
    );
  });

  show(ACCOUNT_PATHS.twoFactor, twoFactorStartPage);
  app.post(ACCOUNT_PATHS.twoFactor, { config: { policy: 'public' } }, async (request, reply) => {
    const form = await admitted(ctx, request, reply, twoFactorStartBody);
    if (form === undefined) return reply;
    const r = await ctx.flows.startTwoFactor(form, request.ip);
    return after(
      request,
      reply,
      r,
      (error) => twoFactorStartPage({ action: ACCOUNT_PATHS.twoFactor, csrf: csrf(request, reply), email: form.email, error }),
      messagePage('Authenticator app', 'Nothing changed.', SIGN_IN),
    );
  });

  // Every enrolment outside a sign-in ends here (invitation, setup, the authenticator page).
  app.post(ACCOUNT_PATHS.enrol, { config: { policy: 'public' } }, async (request, reply) => {
    const form = await admitted(ctx, request, reply, stepCodeBody);
    if (form === undefined) return reply;
    const r = await ctx.enrolment.confirm(form.step, form.code, null, request.ip);
    if (r.status === 'expired') return sendPage(reply, messagePage('Set up your authenticator app', 'That took too long or too many tries. Start again.', SIGN_IN), 400);
    if (r.status === 'wrong-code') {
      return sendPage(reply, enrolPage({ action: ACCOUNT_PATHS.enrol, csrf: csrf(request, reply), view: r.view, required: true, error: WRONG_NEW_CODE }), 400);
    }
    return sendPage(reply, messagePage('Authenticator app ready', 'From now on, sign-in asks for a code from the app.', SIGN_IN));
  });
}
