import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerConfig } from '../config/load-server-config.ts';
import { buildApp } from '../http/build-app.ts';
import { OPENAPI_PATH } from '../http/openapi.ts';
import { appOptionsOf } from '../http/start-server.ts';
import { openServices } from './open-services.ts';
import { openSignIn, signInSettingsOf } from './open-sign-in.ts';

/** The public URL the checked-in document names as its server: where `npm start` serves. */
export const DEFAULT_DOCUMENT_URL = 'https://localhost:8443';

/**
 * The OpenAPI document of /api/v1 exactly as `qrlog serve` with the default configuration (and
 * `publicUrl`) serves it, built in process without listening on any port: the source the API
 * client (packages/api-client) is generated from. The environment is not read, so an operator's
 * settings never change the document; the services run on a throwaway SQLite directory (with its
 * own KEK), removed afterwards.
 */
export async function buildApiDocument(publicUrl: string = DEFAULT_DOCUMENT_URL): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'qrlog-api-document-'));
  try {
    const args = loadServerConfig(['--data-dir', dir, '--public-url', publicUrl], {}, dir);
    if (args.help) throw new Error('unreachable: no --help given');
    const { config } = args;
    const services = await openServices({ dataDir: dir, kek: {}, notice: () => undefined });
    try {
      const signIn = await openSignIn(services, { publicUrl: config.publicUrl ?? publicUrl, settings: signInSettingsOf(config), notice: () => undefined });
      try {
        const app = buildApp({ ...appOptionsOf(config, services, signIn), logger: false });
        try {
          // Asked of the app in process (inject): no socket, the answer a client would get.
          const answer = await app.inject({ method: 'GET', url: OPENAPI_PATH });
          if (answer.statusCode !== 200) throw new Error(`the API document answered ${String(answer.statusCode)}`);
          return answer.json<Record<string, unknown>>();
        } finally {
          await app.close();
        }
      } finally {
        signIn.close();
      }
    } finally {
      await services.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
