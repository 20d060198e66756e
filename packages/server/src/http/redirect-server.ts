import { createServer, type Server } from 'node:http';
import { httpsRedirectTarget } from './https-redirect-target.ts';
import { SECURITY_HEADERS } from '../common/security-headers.ts';

/**
 * The plain-HTTP port: it serves nothing and reads no body, it only sends every request to
 * the same path over HTTPS (301 for GET and HEAD, 308 otherwise so a POST stays a POST).
 */
export function createRedirectServer(options: { httpsPort: number; publicUrl: string | undefined }): Server {
  const server = createServer((req, res) => {
    const target = httpsRedirectTarget(req.headers.host, req.url ?? '/', options);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.setHeader('connection', 'close');
    if (target === null) {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'invalid-request', message: 'bad Host header' } }));
      return;
    }
    const code = req.method === 'GET' || req.method === 'HEAD' ? 301 : 308;
    res.writeHead(code, { location: target, 'content-length': '0' });
    res.end();
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  return server;
}
