import type { ServerMetadata } from 'openid-client';
import type { TlsFetch } from './tls-fetch.ts';

/**
 * The configured issuer and the one the provider's discovery document names differ by more than
 * a trailing slash: tokens would never match what the operator typed. The message says which
 * value to configure.
 */
export class IssuerMismatchError extends Error {
  override readonly name = 'IssuerMismatchError';
  constructor(
    readonly configured: string,
    readonly discovered: string,
  ) {
    super(`QRLOG_OIDC_ISSUER is ${JSON.stringify(configured)}, but the provider's discovery document there names its issuer ${JSON.stringify(discovered)}: set QRLOG_OIDC_ISSUER=${discovered}`);
  }
}

/** The discovery document could not be fetched or is not one. */
export class DiscoveryFailedError extends Error {
  override readonly name = 'DiscoveryFailedError';
}

/** Two issuer identifiers that name the same provider as typed by a person: equal but for trailing slashes. */
export function sameIssuerModuloSlash(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/**
 * OpenID Connect Discovery 1.0, §4: `<issuer>/.well-known/openid-configuration`, where a trailing
 * slash of the issuer is dropped before the suffix is appended (Auth0's issuer ends in `/`,
 * Keycloak's and Entra's do not). The document's own `issuer` is what ID and access tokens carry
 * (§4.3 says it must equal the URL discovery used; providers and operators disagree about the
 * final slash, so that one difference is forgiven and the provider's spelling kept).
 */
export async function discoverProvider(configuredIssuer: string, fetch: TlsFetch, timeoutMs = 10_000): Promise<ServerMetadata> {
  const url = `${configuredIssuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'GET', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (e) {
    throw new DiscoveryFailedError(`OIDC discovery of ${configuredIssuer} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (response.status !== 200) throw new DiscoveryFailedError(`OIDC discovery of ${configuredIssuer} failed: HTTP ${String(response.status)}`);
  let metadata: unknown;
  try {
    metadata = await response.json();
  } catch (e) {
    throw new DiscoveryFailedError(`OIDC discovery of ${configuredIssuer} failed: the answer is not JSON`, { cause: e });
  }
  const issuer = (metadata as { issuer?: unknown } | null)?.issuer;
  if (typeof metadata !== 'object' || metadata === null || typeof issuer !== 'string' || issuer === '') {
    throw new DiscoveryFailedError(`OIDC discovery of ${configuredIssuer} failed: the document names no issuer`);
  }
  if (!sameIssuerModuloSlash(issuer, configuredIssuer)) throw new IssuerMismatchError(configuredIssuer, issuer);
  return metadata as ServerMetadata;
}
