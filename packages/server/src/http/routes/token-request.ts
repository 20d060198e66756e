import { z } from 'zod';

/**
 * The token request (RFC 6749 §4.4, client credentials), as JSON or a form: the one schema that
 * validates it and documents it in the OpenAPI document. The client may instead send its id
 * and secret with HTTP Basic (§2.3.1); grant_type is always required. Not strict, unlike the
 * API's own bodies: RFC 6749 §3.2 says a token endpoint ignores parameters it does not know.
 */
export const tokenRequest = z
  .object({
    grant_type: z.literal('client_credentials').describe('Always client_credentials'),
    client_id: z.string().min(1).max(100).optional().describe('The API key id (ak_…), unless sent with HTTP Basic'),
    client_secret: z.string().min(1).max(200).optional().describe('The secret shown once at creation, unless sent with HTTP Basic'),
  })
  .describe('Client credentials: the API key id and its secret (or send them with HTTP Basic). JSON or application/x-www-form-urlencoded.');

export type TokenRequest = z.output<typeof tokenRequest>;

export const tokenResponse = z.object({
  access_token: z.string().describe('A JWT (ES256) for `Authorization: Bearer`; revoked with its key'),
  token_type: z.literal('Bearer'),
  expires_in: z.int().describe('Seconds until it expires (at most 600)'),
  scope: z.string().describe('The key\u2019s scopes, space-separated'),
});

/** RFC 6749 §5.2: the token endpoint's one exception to the API's own error shape. */
export const oauthError = z
  .object({
    error: z.enum(['invalid_request', 'invalid_client', 'unsupported_grant_type', 'temporarily_unavailable', 'server_error']),
    error_description: z.string(),
  })
  .describe('RFC 6749 §5.2 error (the token endpoint does not use the API\u2019s own error shape)');

/** The public keys tokens are signed with (RFC 7517); each key's members pass through as they are. */
export const jwks = z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional() })) }).describe('JSON Web Key Set');
