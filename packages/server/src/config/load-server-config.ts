import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { configError } from './config-error.ts';
import { SERVE_OPTIONS, type ServeOption } from './serve-options.ts';
import { serverConfigSchema, type ServerConfig } from './server-config-schema.ts';
import { storageEnv, storageProblems } from './storage-config.ts';
import { absolutePaths, checkpointEnv, checkpointProblems, isCheckpointKey } from './checkpoint-config.ts';

export type ServeArgs = { help: true } | { help: false; config: ServerConfig };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads `qrlog serve` flags and the environment into a validated configuration. A flag wins
 * over its environment variable, which wins over the default. Throws an `invalid-configuration` AppError listing every
 * problem at once.
 */
export function loadServerConfig(argv: readonly string[], env: Env = process.env, cwd = process.cwd()): ServeArgs {
  const problems: string[] = [];
  const flags = parseFlags(argv, problems);
  if (flags === 'help') return { help: true };

  const raw: Record<string, string> = { ...storageEnv(env), ...checkpointEnv(env) };
  for (const o of SERVE_OPTIONS as readonly ServeOption[]) {
    const value = flags.get(o.flag) ?? nonEmpty(env[o.env]) ?? o.defaultValue;
    if (value !== undefined) raw[o.key] = value;
  }
  const parsed = serverConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      const o = (SERVE_OPTIONS as readonly ServeOption[]).find((x) => x.key === key);
      if (o === undefined) {
        problems.push(...(isCheckpointKey(String(key)) ? checkpointProblems([issue], raw) : storageProblems([issue], raw)));
        continue;
      }
      const shown = o.secret === true || raw[o.key] === undefined ? '' : ` (got ${JSON.stringify(raw[o.key])})`;
      problems.push(`--${o.flag} / ${o.env}: ${issue.message}${shown}`);
    }
  }
  // Checks across options, on the raw values, so they are reported along with any other problem.
  if ((raw.tlsCert === undefined) !== (raw.tlsKey === undefined)) {
    problems.push(`--${raw.tlsCert === undefined ? 'tls-cert / QRLOG_TLS_CERT' : 'tls-key / QRLOG_TLS_KEY'}: give both --tls-cert and --tls-key, or neither`);
  }
  if (raw.checkpointKey !== undefined && raw.checkpointKeyFile !== undefined) {
    problems.push('QRLOG_CHECKPOINT_KEY: give QRLOG_CHECKPOINT_KEY or QRLOG_CHECKPOINT_KEY_FILE, not both');
  }
  if (parsed.success && parsed.data.port !== 0 && parsed.data.port === parsed.data.httpPort) {
    problems.push('--http-port / QRLOG_HTTP_PORT: must differ from the HTTPS port');
  }
  if (problems.length > 0 || !parsed.success) throw configError(problems);

  const config = { ...parsed.data, ...absolutePaths(parsed.data, cwd), dataDir: resolve(cwd, parsed.data.dataDir) };
  if (config.tlsCert !== undefined) config.tlsCert = resolve(cwd, config.tlsCert);
  if (config.tlsKey !== undefined) config.tlsKey = resolve(cwd, config.tlsKey);
  if (config.webDir !== undefined) config.webDir = resolve(cwd, config.webDir);
  for (const [flag, file] of [['tls-cert', config.tlsCert], ['tls-key', config.tlsKey]] as const) {
    if (file !== undefined && !isReadable(file)) problems.push(`--${flag}: cannot read ${file}`);
  }
  if (problems.length > 0) throw configError(problems);
  return { help: false, config };
}

/** `--flag value`, `--flag=value`; `--trust-proxy` alone means true. Unknown flags are problems. */
function parseFlags(argv: readonly string[], problems: string[]): Map<string, string> | 'help' {
  const known = new Map((SERVE_OPTIONS as readonly ServeOption[]).map((o) => [o.flag, o]));
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1];
    if (m === null || name === undefined) {
      problems.push(`unexpected argument ${JSON.stringify(arg)}`);
      continue;
    }
    const option = known.get(name);
    if (option === undefined) {
      problems.push(`unknown flag --${name} (see qrlog serve --help)`);
      if (m[2] === undefined && argv[i + 1] !== undefined && !(argv[i + 1] ?? '').startsWith('--')) i++;
      continue;
    }
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        value = next;
        i++;
      } else if (option.flag === 'trust-proxy') {
        value = 'true';
      } else {
        problems.push(`--${name} needs a value`);
        continue;
      }
    }
    out.set(name, value);
  }
  return out;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function isReadable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
