import type { EndUserSessions } from './routes/auth-routes.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AuthLayer } from '../auth/auth-layer.ts';
import type { ServerConfig } from '../config/server-config-schema.ts';
import type { InvitationMailer } from '../core/tenancy/invitation-mailer.ts';
import { buildApp, serverLoggerOptions, type AppOptions } from './build-app.ts';
import type { HttpServices } from './http-services.ts';
import { createRedirectServer } from './redirect-server.ts';
import { loadWebApp } from './routes/web-app-routes.ts';
import { certificateNames, loadTlsMaterial, type TlsMaterial } from './tls-material.ts';

export interface RunningServer {
  app: FastifyInstance;
  /** Where the service answers, e.g. `https://127.0.0.1:8443/` (the public URL when one is configured). */
  httpsUrl: string;
  httpsPort: number;
  /** The redirect-only plain-HTTP port, or null when off. */
  httpPort: number | null;
  tls: TlsMaterial;
  /** The URL sign-in runs at, or null when sign-in is off (no `signIn`, or port 0 without a public URL). */
  signInUrl: string | null;
  /** Stops accepting, lets requests in flight finish, closes both ports. Does not close the services. */
  close(): Promise<void>;
}

/** The authentication layer (and, with the embedded provider, its routes and mailer) the app is built with. */
export interface SignIn {
  auth: AuthLayer;
  identity?: { register(app: FastifyInstance): void; endUserSessions?: EndUserSessions } | undefined;
  invitationMailer?: InvitationMailer | undefined;
  publicUrl: string;
}

export interface StartServerOptions {
  logger?: AppLogger;
  /**
   * Builds sign-in for the service's public URL, trusting its certificate. The URL is the
   * configured public URL, else https://localhost:PORT; with port 0 and no public URL the port is
   * unknown until listening (and the provider's issuer must be fixed before), so sign-in is off.
   */
  signIn?: (input: { publicUrl: string; serviceCertificate: string }) => Promise<SignIn>;
}

/** Starts the HTTPS server and the plain-HTTP redirect port for a validated configuration. */
export async function startServer(config: ServerConfig, services: HttpServices, options: StartServerOptions = {}): Promise<RunningServer> {
  const tls = await loadTlsMaterial({
    dataDir: config.dataDir,
    certFile: config.tlsCert,
    keyFile: config.tlsKey,
    names: certificateNames(config.host, config.publicUrl),
  });
  const signInUrl = config.publicUrl ?? (config.port === 0 ? null : `https://localhost${config.port === 443 ? '' : `:${String(config.port)}`}`);
  const signIn = options.signIn === undefined || signInUrl === null ? undefined : await options.signIn({ publicUrl: signInUrl, serviceCertificate: tls.cert });
  const webApp = loadWebApp(config.webDir ?? defaultWebDir());
  const app = buildApp({ ...appOptionsOf(config, services, signIn), webApp, tls, logger: options.logger ?? serverLoggerOptions(config.logLevel) });
  await app.listen({ host: config.host, port: config.port });
  const httpsPort = (app.server.address() as AddressInfo).port;

  let redirect: Server | null = null;
  let httpPort: number | null = null;
  if (config.httpPort !== 0) {
    const server = createRedirectServer({ httpsPort, publicUrl: config.publicUrl });
    redirect = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.httpPort, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch(async (err: unknown) => {
      await app.close();
      throw err;
    });
    httpPort = (server.address() as AddressInfo).port;
  }

  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const httpsUrl = config.publicUrl !== undefined ? `${config.publicUrl}/` : `https://${shownHost}${httpsPort === 443 ? '' : `:${httpsPort}`}/`;

  return {
    app,
    httpsUrl,
    httpsPort,
    httpPort,
    tls,
    signInUrl: signIn?.publicUrl ?? null,
    close: async () => {
      const closing = redirect === null ? Promise.resolve() : new Promise<void>((resolve) => redirect.close(() => { resolve(); }));
      redirect?.closeAllConnections();
      await Promise.all([app.close(), closing]);
    },
  };
}

/**
 * What the app is built with from a validated configuration, apart from TLS and the logger: the
 * same for the listening server and for the API document built in process (app/api-document.ts).
 */
export function appOptionsOf(config: ServerConfig, services: HttpServices, signIn: SignIn | undefined): Omit<AppOptions, 'tls' | 'logger'> {
  return {
    services,
    limits: {
      perAddress: { perMinute: config.addressRate, burst: config.addressBurst },
    },
    maxBatch: config.maxBatch,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    metricsToken: config.metricsToken,
    auth: signIn?.auth,
    identity: signIn?.identity,
    invitationMailer: signIn?.invitationMailer,
  };
}

type AppLogger = AppOptions['logger'];

/** The @qrlog/web package's build output (`npm run build` makes it), wherever npm installed that package. */
function defaultWebDir(): string {
  try {
    return join(dirname(fileURLToPath(import.meta.resolve('@qrlog/web/package.json'))), 'dist');
  } catch {
    return join(process.cwd(), 'packages', 'web', 'dist');
  }
}
