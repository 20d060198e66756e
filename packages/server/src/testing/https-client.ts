import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  port: number;
  /** PEM the client trusts: the server's certificate. */
  ca: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: Agent;
  /** The client's own address (any of 127.0.0.0/8 on loopback): requests from another source. */
  localAddress?: string;
  /** The name the certificate is checked against (default: the address, 127.0.0.1). */
  servername?: string;
}

/** One HTTPS request to 127.0.0.1 that verifies the server's certificate against `ca`. */
export function httpsRequest(o: RequestOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: o.port,
        path: o.path,
        method: o.method ?? 'GET',
        headers: { ...(o.body === undefined ? {} : { 'content-type': 'application/json' }), ...o.headers },
        ca: o.ca,
        rejectUnauthorized: true,
        agent: o.agent ?? false,
        ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }),
        ...(o.servername === undefined ? {} : { servername: o.servername, checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(o.servername ?? '', cert) }),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** One plain-HTTP request to 127.0.0.1 (for the redirect port). */
export function plainHttpRequest(o: { port: number; path: string; method?: string; headers?: Record<string, string> }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: o.port, path: o.path, method: o.method ?? 'GET', headers: o.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
