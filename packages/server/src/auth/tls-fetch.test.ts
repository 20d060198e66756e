import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTlsMaterial, type TlsMaterial } from '../http/tls-material.ts';
import { FetchFailedError, tlsFetch } from './tls-fetch.ts';

describe('tlsFetch against an HTTPS server with its own certificate', () => {
  let dir: string;
  let tls: TlsMaterial;
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qrlog-fetch-'));
    tls = await loadTlsMaterial({ dataDir: dir, names: ['127.0.0.1', 'localhost'] });
    server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/moved') {
          res.writeHead(302, { location: '/elsewhere' }).end();
        } else if (req.url?.startsWith('/kib/') === true) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.alloc(Number(req.url.slice(5)) * 1024, 0x20));
        } else {
          const echo = { method: req.method, type: req.headers['content-type'], accept: req.headers.accept, body: Buffer.concat(chunks).toString('utf8') };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('trusts the extra CA and passes on what openid-client and jose send (form bodies, Headers)', async () => {
    const fetch = tlsFetch(tls.cert);
    const form = await fetch(`${origin}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }), headers: { accept: 'application/json' } });
    expect(form.status).toBe(200);
    expect(await form.json()).toEqual({ method: 'POST', type: 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json', body: 'grant_type=client_credentials' });
    const get = await fetch(`${origin}/jwks`, { method: 'GET', headers: new Headers({ accept: 'application/jwk-set+json' }), redirect: 'manual' });
    expect(await get.json()).toMatchObject({ method: 'GET', accept: 'application/jwk-set+json' });
  });

  it('does not follow redirects when asked not to, and refuses an oversized answer', async () => {
    const fetch = tlsFetch(tls.cert);
    const moved = await fetch(`${origin}/moved`, { redirect: 'manual' });
    expect(moved.status).toBe(302);
    expect(await (await fetch(`${origin}/kib/1000`, {})).text()).toHaveLength(1000 * 1024);
    const huge = await fetch(`${origin}/kib/1025`, {}).then((r) => r.text()).catch((e: unknown) => e);
    expect((huge as Error).cause).toMatchObject({ code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' });
  });

  it('fails with a FetchFailedError naming the origin but not the query when the certificate is not trusted', async () => {
    const error = await tlsFetch(undefined)(`${origin}/jwks?secret=s3cr3t`, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchFailedError);
    expect((error as Error).message).toBe(`cannot fetch from ${origin}: DEPTH_ZERO_SELF_SIGNED_CERT`);
  });

  it('fetches https:// only, and lets a timeout be a timeout', async () => {
    await expect(tlsFetch(tls.cert)('http://127.0.0.1:1/', {})).rejects.toThrow(/only https/);
    await expect(tlsFetch(tls.cert)(`${origin}/jwks`, { signal: AbortSignal.abort(new DOMException('late', 'TimeoutError')) })).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
