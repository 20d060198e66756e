import { isIP } from 'node:net';

/**
 * Where a request that did not arrive over HTTPS is sent. With a public URL configured that is
 * the only target; otherwise the host the client asked for, on the HTTPS port. A Host header
 * that is not a plain host name or address gives no target (the caller answers 400), so a
 * redirect never points at something a crafted header made up.
 */
export function httpsRedirectTarget(
  hostHeader: string | undefined,
  pathAndQuery: string,
  options: { publicUrl?: string | undefined; httpsPort: number },
): string | null {
  const path = pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
  if (options.publicUrl !== undefined) return `${options.publicUrl}${path}`;
  const host = hostName(hostHeader);
  if (host === null) return null;
  const port = options.httpsPort === 443 ? '' : `:${options.httpsPort}`;
  return `https://${host}${port}${path}`;
}

/** The host part of a Host header (port dropped), or null when it is not a valid name or address. */
export function hostName(hostHeader: string | undefined): string | null {
  if (hostHeader === undefined) return null;
  const h = hostHeader.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h);
  if (bracketed?.[1] !== undefined) return isIP(bracketed[1]) === 6 ? `[${bracketed[1]}]` : null;
  const m = /^([a-z0-9.-]{1,253})(?::\d{1,5})?$/.exec(h);
  const name = m?.[1];
  if (name === undefined) return null;
  if (isIP(name) === 4) return name;
  const labels = name.split('.');
  return labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l)) ? name : null;
}
