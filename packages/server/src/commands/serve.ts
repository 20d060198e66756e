import { mkdirSync } from 'node:fs';
import { loadServerConfig } from '../config/load-server-config.ts';
import type { ServerConfig } from '../config/server-config-schema.ts';
import { serveHelp } from '../config/serve-options.ts';
import { startServer, type RunningServer } from '../http/start-server.ts';
import { openServices } from '../app/open-services.ts';
import { isAppError } from '../common/app-error.ts';
import { openSignIn, signInSettingsOf, type OpenedSignIn } from '../app/open-sign-in.ts';

export interface ServeIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the server should stop; default: the first SIGTERM or SIGINT. */
  stopSignal?: Promise<string>;
}

const defaultIo: ServeIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** How long in-flight requests get to finish on shutdown before connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * `qrlog serve`: validates the configuration, opens the services (SQLite in the data directory,
 * or PostgreSQL from DATABASE_URL), serves HTTPS plus the redirect-only HTTP port, says where,
 * and runs until SIGTERM or SIGINT, then finishes the requests in flight and closes the
 * database. Resolves to the process exit code: 0 after a clean stop, 2 for bad configuration,
 * 1 when it could not start.
 */
export async function serve(argv: readonly string[], io: ServeIo = defaultIo): Promise<number> {
  let config: ServerConfig;
  try {
    const args = loadServerConfig(argv, io.env);
    if (args.help) {
      io.out(serveHelp());
      return 0;
    }
    config = args.config;
  } catch (e) {
    if (isAppError(e, 'invalid-configuration')) {
      io.err(`qrlog serve: ${e.message}`);
      return 2;
    }
    throw e;
  }

  const stop = io.stopSignal ?? onceSignalled();
  let services: Awaited<ReturnType<typeof openServices>>;
  let server: RunningServer;
  try {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    services = await openServices({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      databaseSchema: config.databaseSchema,
      databaseServiceUrl: config.databaseServiceUrl,
      databaseServiceRole: config.databaseServiceRole,
      kek: { kek: config.kek, kekLabel: config.kekLabel, kekFile: config.kekFile },
      locationWindowMs: config.locationWindow * 1000,
      checkpoint: { checkpointKey: config.checkpointKey, checkpointKeyFile: config.checkpointKeyFile, checkpointDir: config.checkpointDir },
      checkpointIntervalMs: config.checkpointInterval * 60_000,
      securityLog: { rowsPerMinute: config.securityLogRowsPerMinute, retentionDays: config.securityLogRetentionDays },
      sourceBlocks: { threshold: config.blockAfter, windowMs: config.blockWindow * 1000, baseMs: config.blockMinutes * 60_000, maxMs: Math.max(config.blockMinutes, config.blockMaxMinutes) * 60_000 },
      notifications: {
        publicUrl: config.publicUrl ?? `https://localhost${config.port === 443 ? '' : `:${String(config.port)}`}`,
        mail: { smtpUrl: config.smtpUrl, from: config.smtpFrom },
        deliveryIntervalMs: config.notificationInterval * 1000,
        alertIntervalMs: config.notificationInterval * 1000,
      },
      notice: (m) => {
        io.err(`qrlog: ${m}`);
      },
    });
  } catch (e) {
    if (isAppError(e, 'invalid-configuration')) {
      io.err(`qrlog serve: invalid configuration: ${e.message}`);
      return 2;
    }
    io.err(`qrlog serve: cannot open the database: ${describe(e)}`);
    return 1;
  }
  let signIn: OpenedSignIn | undefined;
  try {
    server = await startServer(config, services, {
      signIn: async ({ publicUrl, serviceCertificate }) => {
        signIn = await openSignIn(services, {
          publicUrl,
          serviceCertificate,
          settings: signInSettingsOf(config),
          embedded: { mail: { smtpUrl: config.smtpUrl, from: config.smtpFrom } },
          notice: (line) => { io.err(`qrlog: ${line}`); },
          onError: (what, e) => { io.err(`qrlog: ${what} failed: ${describe(e)}`); },
        });
        return signIn;
      },
    });
  } catch (e) {
    // The external provider contradicts the configuration (its issuer): the operator's to fix, exit 2.
    const badConfig = isAppError(e, 'invalid-configuration');
    io.err(badConfig ? `qrlog serve: invalid configuration: ${e.message}` : `qrlog serve: cannot start: ${describe(e)}`);
    signIn?.close();
    await services.close();
    return badConfig ? 2 : 1;
  }

  for (const line of banner(config, server)) io.out(line);
  io.out(`qrlog: ${services.checkpoints.describe(config.checkpointInterval)}`);
  services.scheduler.start();
  if (signIn?.identity !== undefined) {
    try {
      const setup = await signIn.identity.setupLinkNotice();
      if (setup !== null) io.out(`qrlog: ${setup}`);
    } catch (e) {
      io.err(`qrlog: could not issue the operator setup link: ${describe(e)}`);
    }
  }

  const signal = await stop;
  io.out(`qrlog: ${signal}, finishing requests in flight and stopping`);
  const forced = setTimeout(() => {
    server.app.server.closeAllConnections();
  }, SHUTDOWN_GRACE_MS);
  try {
    await server.close();
  } finally {
    clearTimeout(forced);
    signIn?.close();
    await services.close();
  }
  io.out('qrlog: stopped');
  return 0;
}

function banner(config: ServerConfig, server: RunningServer): string[] {
  const tls = server.tls;
  const certificate =
    tls.origin === 'configured' ? `certificate ${tls.certFile}` : `self-signed certificate ${tls.certFile} (${tls.origin === 'self-signed-created' ? 'created now' : 'reused'})`;
  return [
    `qrlog: serving HTTPS on ${server.httpsUrl} (listening on ${config.host}:${server.httpsPort})`,
    server.httpPort === null ? 'qrlog: plain HTTP off' : `qrlog: plain HTTP on port ${server.httpPort} redirects to HTTPS`,
    `qrlog: TLS ${certificate}`,
    `qrlog: TLS SHA-256 fingerprint ${tls.fingerprint256}`,
    `qrlog: database ${config.databaseUrl === undefined ? `SQLite in ${config.dataDir}` : `PostgreSQL ${redactUrl(config.databaseUrl)}`}`,
    signInLine(config, server),
    `qrlog: ready when ${server.httpsUrl}readyz answers 200`,
  ];
}

function signInLine(config: ServerConfig, server: RunningServer): string {
  if (server.signInUrl === null) return 'qrlog: sign-in off: with --port 0 give --public-url https://HOST:PORT (the provider needs its address before listening)';
  const provider = config.oidcIssuer === undefined ? `embedded provider at ${server.signInUrl}/oidc` : `provider ${config.oidcIssuer}`;
  return `qrlog: sign-in at ${server.signInUrl}/auth/login (${provider})`;
}

/** host and database of a postgres URL; never user or password. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port === '' ? '' : `:${u.port}`}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function onceSignalled(): Promise<string> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
      // A second signal while stopping ends the process at once.
      process.once('SIGTERM', () => process.exit(130));
      process.once('SIGINT', () => process.exit(130));
      resolve(signal);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}
