import type { FastifyRequest } from 'fastify';
import type { ScanContext } from '../core/ingest/ingest-contract.ts';

const MAX_USER_AGENT = 512;

/** Where a link came from, as the services record it: the proxy-aware client address, the user agent. */
export function scanContext(request: FastifyRequest, via: ScanContext['via'], receivedAt: Date): ScanContext {
  const ua = request.headers['user-agent'];
  return {
    receivedAt,
    sourceAddress: request.ip,
    userAgent: typeof ua === 'string' && ua !== '' ? ua.slice(0, MAX_USER_AGENT) : null,
    via,
  };
}
