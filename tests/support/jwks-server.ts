import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { loadTlsMaterial } from '../../packages/server/src/http/tls-material.ts';

/**
 * Test double of another party's service, as a real protocol server: an HTTPS server on
 * loopback serving a JWKS the test controls, counting how often it is fetched.
 */
export interface JwksServer {
  url: string;
  /** The certificate to trust (self-signed for 127.0.0.1 and localhost). */
  ca: string;
  keys: JWK[];
  fetches(): number;
  close(): Promise<void>;
}

export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const dir = mkdtempSync(join(tmpdir(), 'qrlog-jwks-'));
  const tls = await loadTlsMaterial({ dataDir: dir, names: ['127.0.0.1', 'localhost'] });
  let fetches = 0;
  const state: JwksServer = {
    url: '',
    ca: tls.cert,
    keys,
    fetches: () => fetches,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    if (req.url !== '/jwks') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}/jwks`;
  return state;
}
