import { request } from 'node:https';
import * as oidc from 'openid-client';
import type { TestBrowser } from './test-browser.ts';

/** fetch over node:https trusting `ca` (the test server's self-signed certificate) — for openid-client and jose. */
export function fetchTrusting(ca: string) {
  return (url: string, options: { method?: string; headers?: Record<string, string> | Headers; body?: unknown; signal?: AbortSignal | null }): Promise<Response> =>
    new Promise((resolve, reject) => {
      const headers = Object.fromEntries(new Headers(options.headers).entries());
      let body: string | undefined;
      if (options.body instanceof URLSearchParams) {
        headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
        body = options.body.toString();
      } else if (typeof options.body === 'string') {
        body = options.body;
      }
      const req = request(new URL(url), { method: options.method ?? 'GET', headers, ca, agent: false, signal: options.signal ?? undefined }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, one);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers: h }));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
}

export interface RelyingParty {
  config: oidc.Configuration;
  redirectUri: string;
}

/** The web app's side of the flow, as the authentication layer does it: openid-client against the issuer, by discovery. */
export async function discoverRelyingParty(issuer: string, ca: string, client: { clientId: string; clientSecret: string }, publicUrl: string): Promise<RelyingParty> {
  const config = await oidc.discovery(new URL(issuer), client.clientId, { token_endpoint_auth_method: 'client_secret_post' }, oidc.ClientSecretPost(client.clientSecret), {
    [oidc.customFetch]: fetchTrusting(ca),
  });
  return { config, redirectUri: `${publicUrl}/auth/callback` };
}

export interface Started {
  url: URL;
  state: string;
  nonce: string;
  verifier: string;
}

export async function beginSignIn(rp: RelyingParty, extra: Record<string, string> = {}): Promise<Started> {
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(rp.config, {
    redirect_uri: rp.redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url, state, nonce, verifier };
}

/** Follows the browser from the authorization request to the first page that is not a redirect, or to the callback. */
export async function toFirstPage(browser: TestBrowser, url: URL | string, rp: RelyingParty) {
  return browser.follow(await browser.get(url.toString()), (next) => next.startsWith(rp.redirectUri));
}

export async function redeem(rp: RelyingParty, callback: string, started: Started) {
  return oidc.authorizationCodeGrant(rp.config, new URL(callback), {
    expectedState: started.state,
    expectedNonce: started.nonce,
    pkceCodeVerifier: started.verifier,
    idTokenExpected: true,
  });
}
