import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { IncomingMessage } from 'node:http';
import { Events, OAuth2Server, type MutableResponse, type MutableToken } from 'oauth2-mock-server';
import { loadTlsMaterial } from '../../packages/server/src/http/tls-material.ts';

/** What the mock's userinfo says about a subject. */
export interface MockProfile {
  email?: string;
  email_verified?: boolean;
  name?: string;
  [claim: string]: unknown;
}

export interface MockProvider {
  /** `https://127.0.0.1:PORT`: the mock's issuer, without a trailing slash. */
  issuer: string;
  /** Its certificate (self-signed for 127.0.0.1): the service trusts it as QRLOG_OIDC_CA_FILE's content. */
  ca: string;
  server: OAuth2Server;
  /** Who the next authorization code signs in (the mock has no login page). */
  loginAs: string;
  /** Userinfo by subject; the ID token carries only `sub` (every profile claim comes from userinfo). */
  profiles: Map<string, MockProfile>;
  /** Publishes a new signing key; tokens signed with `kid` from now on. */
  rotateKey(): Promise<string>;
  /** An access token for the API, signed with `kid` (default: the first key). */
  accessToken(sub: string, audience: string, kid?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * oauth2-mock-server (npm) on loopback over HTTPS: a second OIDC provider, written by other
 * people than oidc-provider, with a different idea of what goes where — its ID tokens carry
 * `sub` only, so e-mail, its verification and the name come from userinfo.
 */
export async function startMockProvider(): Promise<MockProvider> {
  const dir = mkdtempSync(join(tmpdir(), 'qrlog-mock-op-'));
  const tls = await loadTlsMaterial({ dataDir: dir, names: ['127.0.0.1'] });
  const keyFile = join(dir, 'mock-key.pem');
  writeFileSync(keyFile, tls.key, { mode: 0o600 });
  const server = new OAuth2Server(keyFile, tls.certFile);
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  // The mock names itself by `localhost`; the certificate and the tests use the address.
  const { port } = new URL(server.issuer.url ?? 'https://127.0.0.1');
  const issuer = `https://127.0.0.1:${port}`;
  server.issuer.url = issuer;
  const state: MockProvider = {
    issuer,
    ca: tls.cert,
    server,
    loginAs: 'mock|nobody',
    profiles: new Map(),
    rotateKey: async () => {
      const jwk = await server.issuer.keys.generate('RS256');
      return jwk.kid;
    },
    accessToken: (sub, audience, kid) =>
      server.issuer.buildToken({
        ...(kid === undefined ? {} : { kid }),
        scopesOrTransform: (_header, payload) => {
          Object.assign(payload, { sub, aud: audience, scope: 'openid' });
        },
      }),
    close: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  server.service.on(Events.BeforeTokenSigning, (token: MutableToken) => {
    token.payload.sub = state.loginAs;
  });
  server.service.on(Events.BeforeUserinfo, (response: MutableResponse, req: IncomingMessage) => {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const subject = bearer === undefined ? undefined : decodeJwt(bearer).sub;
    const profile = subject === undefined ? undefined : state.profiles.get(subject);
    if (subject === undefined || profile === undefined) {
      response.statusCode = 401;
      response.body = { error: 'invalid_token' };
      return;
    }
    const body: Record<string, unknown> = { ...profile };
    body.sub = subject;
    response.body = body;
  });
  return state;
}
