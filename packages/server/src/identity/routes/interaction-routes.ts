import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, type Interaction } from 'oidc-provider';
import type { z } from 'zod';
import { addressKey } from '../../common/address-key.ts';
import { INTERACTION_PATH, interactionPath } from '../identity-paths.ts';
import { codePage, enrolPage, loginPage, messagePage } from '../pages/sign-in-pages.ts';
import { RESTART, type SignInOutcome } from '../sign-in-flow.ts';
import { WEB_CLIENT_ID } from '../provider-secrets.ts';
import { loginBody, stepCodeBody } from './form-bodies.ts';
import { sendPage, waitText, type IdentityRouteContext } from './identity-route-context.ts';

const EXPIRED = 'This sign-in is no longer open (it took too long, or finished in another tab). Start again from the app.';
const FORM_EXPIRED = 'This form expired. Go back, reload the page and try again.';

/**
 * The sign-in pages of an OIDC interaction (/interaction/:uid): password, then an authenticator
 * code or its enrolment. The provider's interaction cookie is scoped to this path; each POST
 * also carries the form guard's value.
 */
export function registerInteractionRoutes(app: FastifyInstance, ctx: IdentityRouteContext): void {
  const base = `${INTERACTION_PATH}/:uid`;

  app.get(base, { config: { policy: 'public' } }, async (request, reply) => {
    const interaction = await interactionOf(ctx, request, reply);
    if (interaction === undefined) return sendPage(reply, messagePage('Sign in', EXPIRED), 400);
    if (interaction.prompt.name === 'consent') return implicitConsent(ctx, interaction, request, reply);
    const hint = interaction.params.login_hint;
    return sendPage(reply, loginPage({ action: `${interactionPath(interaction.uid)}/login`, csrf: ctx.formGuard.tokenFor(request, reply), email: typeof hint === 'string' ? hint : '' }));
  });

  app.post(`${base}/login`, { config: { policy: 'public' } }, async (request, reply) => {
    const form = await admitted(ctx, request, reply, loginBody, (error) => loginPage({ action: request.url, csrf: ctx.formGuard.tokenFor(request, reply), error }));
    if (form === undefined) return reply;
    const interaction = await interactionOf(ctx, request, reply);
    if (interaction?.prompt.name !== 'login') return sendPage(reply, messagePage('Sign in', EXPIRED), 400);
    const outcome = await ctx.signIn.password(form.email, form.password, interaction.uid, request.ip);
    return answer(ctx, interaction, outcome, request, reply, form.email);
  });

  app.post(`${base}/code`, { config: { policy: 'public' } }, async (request, reply) => {
    const form = await admitted(ctx, request, reply, stepCodeBody);
    if (form === undefined) return reply;
    const interaction = await interactionOf(ctx, request, reply);
    if (interaction === undefined) return sendPage(reply, messagePage('Sign in', EXPIRED), 400);
    const outcome = await ctx.signIn.code(form.step, form.code, interaction.uid, request.ip);
    return answer(ctx, interaction, outcome, request, reply);
  });

  app.post(`${base}/enrol`, { config: { policy: 'public' } }, async (request, reply) => {
    const form = await admitted(ctx, request, reply, stepCodeBody);
    if (form === undefined) return reply;
    const interaction = await interactionOf(ctx, request, reply);
    if (interaction === undefined) return sendPage(reply, messagePage('Sign in', EXPIRED), 400);
    const outcome = await ctx.signIn.enrol(form.step, form.code, interaction.uid, request.ip);
    return answer(ctx, interaction, outcome, request, reply);
  });
}

/**
 * The checks every form POST passes before anything else: the form guard, the posts-per-address
 * limit and the failed-sign-in wait of the address, then the body's shape. Undefined: the page
 * explaining the refusal was sent.
 */
export async function admitted<S extends z.ZodType>(
  ctx: IdentityRouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  schema: S,
  formPage?: (error: string) => ReturnType<typeof loginPage>,
): Promise<z.output<S> | undefined> {
  const parsed = schema.safeParse(request.body);
  const csrf = (request.body as { csrf?: unknown } | null)?.csrf;
  if (!ctx.formGuard.check(request, csrf)) {
    await sendPage(reply, messagePage('Please try again', FORM_EXPIRED), 403);
    return undefined;
  }
  // Failed sign-ins are not refused here: they make the password alone insufficient
  // (LocalAccounts), so an owner with their authenticator or a reset link still gets through.
  if (!ctx.posts.take(addressKey(request.ip))) {
    const text = waitText(60_000);
    await sendPage(reply, formPage === undefined ? messagePage('Please wait', text) : formPage(text), 429);
    return undefined;
  }
  if (!parsed.success) {
    await sendPage(reply, messagePage('Please try again', 'The form arrived incomplete. Go back and try again.'), 400);
    return undefined;
  }
  return parsed.data;
}

/** The interaction of the cookie, when it is the one the path names; undefined when it is gone. */
async function interactionOf(ctx: IdentityRouteContext, request: FastifyRequest, reply: FastifyReply): Promise<Interaction | undefined> {
  try {
    const interaction = await ctx.provider.interactionDetails(request.raw, reply.raw);
    return interaction.uid === (request.params as { uid?: string }).uid ? interaction : undefined;
  } catch (e) {
    if (e instanceof errors.SessionNotFound) return undefined;
    throw e;
  }
}

async function answer(
  ctx: IdentityRouteContext,
  interaction: Interaction,
  outcome: SignInOutcome,
  request: FastifyRequest,
  reply: FastifyReply,
  email?: string,
): Promise<FastifyReply> {
  const here = interactionPath(interaction.uid);
  const csrf = (): string => ctx.formGuard.tokenFor(request, reply);
  switch (outcome.status) {
    case 'signed-in': {
      const to = await ctx.provider.interactionResult(
        request.raw,
        reply.raw,
        // A session cookie (no `remember`): the provider's session ends with the browser.
        { login: { accountId: outcome.userId, amr: outcome.amr, remember: false } },
        { mergeWithLastSubmission: false },
      );
      return reply.redirect(to, 303);
    }
    case 'code':
      return sendPage(reply, codePage({ action: `${here}/code`, csrf: csrf(), step: outcome.step, guarded: outcome.guarded === true }));
    case 'enrol':
      return sendPage(reply, enrolPage({ action: `${here}/enrol`, csrf: csrf(), view: outcome.view, required: outcome.required, error: outcome.error }), outcome.error === undefined ? 200 : 400);
    case 'restart':
      return sendPage(reply, loginPage({ action: `${here}/login`, csrf: csrf(), error: outcome.message }), 400);
    case 'refused':
      if (outcome.step !== undefined) return sendPage(reply, codePage({ action: `${here}/code`, csrf: csrf(), step: outcome.step, error: outcome.message }), 401);
      return sendPage(reply, loginPage({ action: `${here}/login`, csrf: csrf(), email, error: outcome.message }), 401);
  }
}

/**
 * The provider asked for consent: for the first-party app it is implied (loadExistingGrant
 * normally answers before this); anything else is refused.
 */
async function implicitConsent(ctx: IdentityRouteContext, interaction: Interaction, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { accountId } = interaction.session ?? {};
  if (interaction.params.client_id !== WEB_CLIENT_ID || accountId === undefined) {
    const to = await ctx.provider.interactionResult(request.raw, reply.raw, { error: 'access_denied', error_description: 'consent is not available' });
    return reply.redirect(to, 303);
  }
  const grant = interaction.grantId === undefined ? new ctx.provider.Grant({ accountId, clientId: WEB_CLIENT_ID }) : await ctx.provider.Grant.find(interaction.grantId);
  if (grant === undefined) return sendPage(reply, messagePage('Sign in', RESTART), 400);
  const details = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (details.missingOIDCScope !== undefined) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims !== undefined) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  const to = await ctx.provider.interactionResult(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
  return reply.redirect(to, 303);
}
