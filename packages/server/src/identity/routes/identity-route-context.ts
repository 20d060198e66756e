import type { FastifyReply } from 'fastify';
import type Provider from 'oidc-provider';
import type { RateLimiter } from '../../common/rate-limiter.ts';
import type { AccountFlows } from '../account-flows.ts';
import type { FormGuard } from '../form-guard.ts';
import type { AccountPage } from '../pages/account-page.ts';
import type { SignInFlow } from '../sign-in-flow.ts';
import type { TotpEnrolment } from '../totp-enrolment.ts';

/** What the provider's routes and pages share; built once in embedded-identity.ts. */
export interface IdentityRouteContext {
  provider: Provider;
  publicUrl: string;
  formGuard: FormGuard;
  /** Form posts per source address (all of them, good or bad). */
  posts: RateLimiter;
  signIn: SignInFlow;
  flows: AccountFlows;
  enrolment: TotpEnrolment;
  /** Background work that failed (a reset mail that could not be sent). */
  onBackgroundError: (what: string, error: unknown) => void;
}

/** Sends a page with its own content policy; never cached (forms carry one-time values). */
export function sendPage(reply: FastifyReply, page: AccountPage, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', page.contentSecurityPolicy)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page.html);
}

export function waitText(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `Too many attempts from your network. Try again in ${String(minutes)} minute${minutes === 1 ? '' : 's'}.`;
}
