import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import S3rver from 's3rver';
import { join } from 'node:path';

/**
 * A real S3-protocol server on loopback (s3rver from npm, objects in a temporary directory), as a
 * test double for the off-site store. s3rver has no object lock; its credentials are fixed.
 */
export interface S3Server {
  endpoint: string;
  port: number;
  env(bucket?: string): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export const S3_BUCKET = 'qrlog-backups';

export async function startS3Server(): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'qrlog-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: S3_BUCKET }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${String(port)}`;
  return {
    endpoint,
    port,
    env: (at = endpoint) => s3Env(at),
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The QRLOG_BACKUP_S3_* settings for an endpoint (s3rver's fixed credentials). */
export function s3Env(endpoint: string): NodeJS.ProcessEnv {
  return {
    QRLOG_BACKUP_S3_ENDPOINT: endpoint,
    QRLOG_BACKUP_S3_REGION: 'us-east-1',
    QRLOG_BACKUP_S3_FORCE_PATH_STYLE: 'true',
    QRLOG_BACKUP_S3_ACCESS_KEY_ID: 'S3RVER',
    QRLOG_BACKUP_S3_SECRET_ACCESS_KEY: 'S3RVER',
  };
}

/**
 * A TCP relay in front of the store that, when a request for an object whose name contains
 * `cutAt` begins, stops relaying it and calls `onCut` (which kills the uploader): an upload cut
 * off half-way, at a known place, every time.
 */
export async function startCuttingRelay(upstreamPort: number, cutAt: string, onCut: () => void): Promise<{ endpoint: string; cut: () => boolean; close(): Promise<void> }> {
  let cut = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      if (cut) return;
      if (chunk.toString('latin1').includes(cutAt)) {
        cut = true;
        onCut();
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${String(port)}`,
    cut: () => cut,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => { resolve(); });
      }),
  };
}
