import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's chromium, headless, as the browser tests drive it (never a downloaded browser). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** What an authenticator app shows for the base32 secret, `offsetSteps` periods from now. */
export function codeFor(base32: string, offsetSteps = 0): string {
  return TOTP.generate({ secret: Secret.fromBase32(base32), timestamp: Date.now() + offsetSteps * 30_000 });
}

export interface Answer {
  status: number;
  body: unknown;
}

/**
 * A request with the browser context's own cookies (the httpOnly session included), as the
 * service's pages would make it: the service's JSON answers carry a CSP that forbids scripts, so
 * the request goes through the context, with the Origin a same-origin page sends.
 */
export async function fetchInPage(page: Page, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const origin = new URL(page.url()).origin;
  const r = await page.context().request.fetch(`${origin}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.method === undefined || init.method === 'GET' ? {} : { origin }), ...init.headers },
    ...(init.body === undefined ? {} : { data: init.body }),
    maxRedirects: 0,
  });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: r.status(), body };
}

/** Opens a one-time account link, sets the password (plus `extra` fields), enrols the authenticator; its secret. */
export async function setUpAccount(page: Page, o: { origin: string; link: string; path: string; password: string; extra?: Record<string, string> }): Promise<string> {
  await page.goto(o.link);
  // The page moved the token from the fragment into its form and out of the address bar.
  await expect.poll(() => page.url()).toBe(`${o.origin}${o.path}`);
  for (const [name, value] of Object.entries(o.extra ?? {})) await page.fill(`input[name=${name}]`, value);
  await page.fill('input[name=password]', o.password);
  await page.fill('input[name=password2]', o.password);
  await page.click('button[type=submit]');
  // Admins and operators must set up an authenticator app before the account is done.
  await page
    .getByRole('heading', { name: 'Set up your authenticator app' })
    .waitFor()
    .catch(async (e: unknown) => {
      throw new Error(`${String(e)}\n${await page.locator('body').innerText()}`);
    });
  const secret = (await page.locator('p.secret').innerText()).replace(/\s+/g, '');
  expect(secret).toMatch(/^[A-Z2-7]+=*$/);
  await page.fill('input[name=code]', codeFor(secret));
  await page.click('button[type=submit]');
  await page.getByText('Authenticator app ready').waitFor();
  return secret;
}

/**
 * The service's own /auth/login: the provider's form, then the authenticator code; back at
 * `returnTo` (default /auth/session). The session as /auth/session describes it.
 */
export async function signIn(page: Page, o: { origin: string; email: string; password: string; secret: string; returnTo?: string }): Promise<Record<string, unknown>> {
  const returnTo = o.returnTo ?? '/auth/session';
  await page.goto(`${o.origin}/auth/login?return_to=${encodeURIComponent(returnTo)}`);
  expect(page.url()).toMatch(new RegExp(`^${o.origin}/interaction/`));
  await page.fill('input[name=email]', o.email);
  await page.fill('input[name=password]', o.password);
  await page.click('button[type=submit]');
  await page.locator('input[name=code]').waitFor();
  // The enrolment used this period's code, and a code is good once: the app's next one.
  await page.fill('input[name=code]', codeFor(o.secret, 1));
  await page.click('button[type=submit]');
  await page.waitForURL(`${o.origin}${returnTo}`);
  return (await fetchInPage(page, '/auth/session')).body as Record<string, unknown>;
}
