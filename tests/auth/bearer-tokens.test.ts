import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, customFetch, exportJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenVerifier, TokenKeysUnavailableError, TokenRefusedError, type TrustedIssuer } from '../../packages/server/src/auth/access-token-verifier.ts';
import { tlsFetch } from '../../packages/server/src/auth/tls-fetch.ts';
import { startJwksServer, type JwksServer } from '../support/jwks-server.ts';

const ISSUER = 'https://id.example.test/';
const AUDIENCE = 'https://qrlog.example.test/api';
const COOLDOWN_MS = 400;

interface TestKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JWK;
}

async function makeKey(kid: string, alg: 'RS256' | 'PS256' | 'ES256' | 'EdDSA'): Promise<TestKey> {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, alg, ...pair, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' } };
}

function sign(key: TestKey, claims: JWTPayload = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'user-1', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header })
    .sign(key.privateKey);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function refusal(verifier: AccessTokenVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(token);
  } catch (e) {
    if (e instanceof TokenRefusedError) return e.reason;
    throw e;
  }
  return 'accepted';
}

describe('bearer access tokens, checked against a JWKS served over HTTPS', () => {
  let server: JwksServer;
  let verifier: AccessTokenVerifier;
  let rsa: TestKey;
  let ec: TestKey;
  let ed: TestKey;
  let ps: TestKey;

  beforeAll(async () => {
    [rsa, ec, ed, ps] = await Promise.all([makeKey('rsa-1', 'RS256'), makeKey('ec-1', 'ES256'), makeKey('ed-1', 'EdDSA'), makeKey('ps-1', 'PS256')]);
    server = await startJwksServer([rsa.jwk, ec.jwk, ed.jwk, ps.jwk]);
    const issuer: TrustedIssuer = {
      accepts: (iss): iss is string => iss === ISSUER,
      audience: AUDIENCE,
      kind: 'provider',
      keys: createRemoteJWKSet(new URL(server.url), { cooldownDuration: COOLDOWN_MS, [customFetch]: tlsFetch(server.ca) }),
    };
    verifier = new AccessTokenVerifier([issuer], 30);
  });

  afterAll(async () => {
    await server.close();
  });

  it('accepts good tokens of each allowed algorithm', async () => {
    for (const key of [rsa, ec, ed, ps]) {
      const { payload, issuer } = await verifier.verify(await sign(key, { sub: `user-${key.kid}` }));
      expect(payload.sub).toBe(`user-${key.kid}`);
      expect(issuer.accepts(ISSUER)).toBe(true);
      expect(payload.iss).toBe(ISSUER);
    }
    // All from one fetch of the JWKS.
    expect(server.fetches()).toBe(1);
  });

  it('refuses a wrong issuer', async () => {
    expect(await refusal(verifier, await sign(rsa, { iss: 'https://evil.example.test/' }))).toBe('issuer');
    expect(await refusal(verifier, await sign(rsa, { iss: 'https://id.example.test' }))).toBe('issuer');
  });

  it('refuses a wrong audience', async () => {
    expect(await refusal(verifier, await sign(rsa, { aud: 'https://other.example.test/api' }))).toBe('audience');
    expect(await refusal(verifier, await sign(rsa, { aud: 'qrlog-web' }))).toBe('audience');
  });

  it('refuses an expired token (beyond the clock tolerance) and one not yet valid', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(verifier, await sign(rsa, { iat: now - 600, exp: now - 31 }))).toBe('expired');
    // Within the 30 s tolerance: a clock a little behind is fine.
    expect(await refusal(verifier, await sign(rsa, { iat: now - 600, exp: now - 5 }))).toBe('accepted');
    expect(await refusal(verifier, await sign(rsa, { nbf: now + 120 }))).toBe('not-yet-valid');
  });

  it('refuses a token without exp or sub', async () => {
    const now = Math.floor(Date.now() / 1000);
    const noExp = await new SignJWT({ sub: 'u', iss: ISSUER, aud: AUDIENCE, iat: now }).setProtectedHeader({ alg: 'RS256', kid: rsa.kid }).sign(rsa.privateKey);
    expect(await refusal(verifier, noExp)).toBe('claims');
    const noSub = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 60 }).setProtectedHeader({ alg: 'RS256', kid: rsa.kid }).sign(rsa.privateKey);
    expect(await refusal(verifier, noSub)).toBe('claims');
  });

  it('refuses alg none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { sub: 'user-1', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300 };
    expect(await refusal(verifier, `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`)).toBe('algorithm');
    expect(await refusal(verifier, `${b64({ alg: 'none', kid: rsa.kid })}.${b64(payload)}.${b64('x')}`)).toBe('algorithm');
    expect(await refusal(verifier, `${b64({ alg: 'None' })}.${b64(payload)}.`)).toBe('algorithm');
  });

  it('refuses a token HMAC-signed with the public key (key confusion)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'user-1', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300 };
    const pem = Buffer.from(rsa.publicKey.export({ format: 'pem', type: 'spki' }));
    const jwkText = Buffer.from(JSON.stringify(rsa.jwk));
    for (const secret of [pem, jwkText]) {
      for (const alg of ['HS256', 'HS384', 'HS512']) {
        const token = await new SignJWT(claims).setProtectedHeader({ alg, kid: rsa.kid }).sign(new Uint8Array(secret));
        expect(await refusal(verifier, token)).toBe('algorithm');
      }
    }
  });

  it('refuses a tampered payload, header or signature', async () => {
    const token = await sign(ec, { sub: 'user-1' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    expect(await refusal(verifier, `${header}.${b64({ ...claims, sub: 'admin' })}.${signature}`)).toBe('signature');
    expect(await refusal(verifier, `${header}.${b64({ ...claims, exp: Number(claims.exp) + 86_400 })}.${signature}`)).toBe('signature');
    // The same claims under another key's header: the signature does not match that key.
    expect(await refusal(verifier, `${b64({ alg: 'ES256', kid: rsa.kid })}.${payload}.${signature}`)).not.toBe('accepted');
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    expect(await refusal(verifier, `${header}.${payload}.${flipped}`)).toBe('signature');
    expect(await refusal(verifier, `${header}.${payload}`)).toBe('malformed');
    expect(await refusal(verifier, 'not a token')).toBe('malformed');
    expect(await refusal(verifier, `${header}.${payload}.${signature}`.repeat(5))).toBe('malformed');
  });

  it('refuses an unknown kid, refetching the JWKS at most once per cooldown, and picks up a rotated key', async () => {
    await new Promise((r) => setTimeout(r, COOLDOWN_MS + 50));
    const before = server.fetches();
    const stranger = await makeKey('new-1', 'ES256');
    expect(await refusal(verifier, await sign(stranger))).toBe('unknown-key');
    expect(server.fetches()).toBe(before + 1);
    // Within the cooldown: made-up kids cause no fetches at all.
    for (let i = 0; i < 5; i++) expect(await refusal(verifier, await sign({ ...stranger, kid: `made-up-${String(i)}` }))).toBe('unknown-key');
    expect(server.fetches()).toBe(before + 1);

    // The issuer rotates: the new key is published; after the cooldown it is fetched and accepted.
    server.keys = [...server.keys, stranger.jwk];
    expect(await refusal(verifier, await sign(stranger))).toBe('unknown-key');
    await new Promise((r) => setTimeout(r, COOLDOWN_MS + 50));
    expect(await refusal(verifier, await sign(stranger))).toBe('accepted');
    expect(server.fetches()).toBe(before + 2);
  });

  it('never trusts a certificate it was not given (no TLS check is turned off)', async () => {
    const untrusting = new AccessTokenVerifier([
      { accepts: (iss): iss is string => iss === ISSUER, audience: AUDIENCE, kind: 'provider', keys: createRemoteJWKSet(new URL(server.url), { [customFetch]: tlsFetch(undefined) }) },
    ]);
    await expect(untrusting.verify(await sign(rsa))).rejects.toBeInstanceOf(TokenKeysUnavailableError);
  });
});
