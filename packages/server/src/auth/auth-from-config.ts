import { readFileSync } from 'node:fs';
import type { ServerConfig } from '../config/server-config-schema.ts';
import { createAuthLayer, type AuthDependencies, type AuthLayer } from './auth-layer.ts';
import { resolveAuthSettings, type OidcProviderSettings } from './auth-settings.ts';

/** The embedded provider's registration of the web app (identity/embedded-identity.ts provides it). */
export interface EmbeddedClient {
  clientId: string;
  clientSecret: string;
  tokenEndpointAuthMethod: OidcProviderSettings['tokenEndpointAuthMethod'];
}

/**
 * The authentication layer for `qrlog serve`: an external provider when QRLOG_OIDC_ISSUER is
 * set, else the embedded one (`embedded` must then be given), reached at `publicUrl` over the
 * service's own TLS, whose certificate (`serviceCertificate`) it trusts for that.
 */
export function authLayerFromConfig(input: {
  config: Pick<ServerConfig, 'oidcIssuer' | 'oidcClientId' | 'oidcClientSecret' | 'oidcAudience' | 'oidcTokenAuth' | 'oidcCaFile' | 'sessionIdleMinutes' | 'sessionMaxHours'>;
  publicUrl: string;
  serviceCertificate: string;
  deps: AuthDependencies;
  embedded?: EmbeddedClient | undefined;
  /** Default: '/auth/signed-out'. Must be registered as post-logout redirect at the provider. */
  postLogoutPath?: string;
}): AuthLayer {
  const c = input.config;
  let oidcCa: string | undefined;
  if (c.oidcCaFile !== undefined) {
    try {
      oidcCa = readFileSync(c.oidcCaFile, 'utf8');
    } catch (e) {
      throw new Error(`cannot read QRLOG_OIDC_CA_FILE ${c.oidcCaFile}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
    }
  }
  const settings = resolveAuthSettings({
    publicUrl: input.publicUrl,
    oidcIssuer: c.oidcIssuer,
    oidcClientId: c.oidcClientId,
    oidcClientSecret: c.oidcClientSecret,
    oidcAudience: c.oidcAudience,
    oidcTokenAuthMethod: c.oidcTokenAuth,
    oidcCa,
    embeddedClient: c.oidcIssuer === undefined ? input.embedded : undefined,
    serviceCertificate: input.serviceCertificate,
    sessionIdleMinutes: c.sessionIdleMinutes,
    sessionMaxHours: c.sessionMaxHours,
    postLogoutPath: input.postLogoutPath,
  });
  return createAuthLayer(input.deps, settings);
}
