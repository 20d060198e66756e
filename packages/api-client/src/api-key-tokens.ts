import { createQrlogClient, type QrlogClientOptions } from './qrlog-client.ts';

/** An API key as it was shown once at its creation. */
export interface ApiKeyCredentials {
  id: string;
  secret: string;
}

/** Renew this long before a token expires, so that a request in flight does not carry a stale one. */
const RENEW_BEFORE_MS = 30_000;

/**
 * A token source for `createQrlogClient` that exchanges an API key for short-lived access tokens
 * at the service's token endpoint (OAuth 2.0 client credentials), through the generated client,
 * and keeps each until shortly before it expires. A refused exchange throws with the endpoint's
 * RFC 6749 error (never the secret).
 */
export function apiKeyTokens(baseUrl: string, key: ApiKeyCredentials, options: Pick<QrlogClientOptions, 'fetch'> = {}): () => Promise<string> {
  const client = createQrlogClient(baseUrl, options);
  let current: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const exchange = async (): Promise<string> => {
    const { data, error, response } = await client.POST('/api/v1/auth/token', {
      body: { grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret },
    });
    if (error !== undefined) {
      // RFC 6749's error, or whatever answered instead (a proxy's 5xx is not in the document).
      const reason = typeof error.error === 'string' ? `${error.error} (${error.error_description})` : `HTTP ${String(response.status)}`;
      throw new Error(`the qrlog token endpoint refused API key ${key.id}: ${reason}`);
    }
    current = { token: data.access_token, renewAt: Date.now() + data.expires_in * 1000 - RENEW_BEFORE_MS };
    return data.access_token;
  };
  return async () => {
    if (current !== undefined && Date.now() < current.renewAt) return current.token;
    // Requests made at once share one exchange.
    pending ??= exchange().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
