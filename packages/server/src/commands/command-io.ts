import { isSerial } from '@qrlog/link';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { openServices, type Services } from '../app/open-services.ts';
import { loadStorageConfig } from '../config/storage-config.ts';
import { AppError, isAppError } from '../common/app-error.ts';

/** Where a command writes and what environment it reads; tests pass their own. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

export const processIo: CommandIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
};

/** A command: argv after its name, exit code back. JSON on stdout, messages on stderr. */
export type ServerCommand = (argv: string[], io?: CommandIo) => Promise<number>;

/** A mistake in how the command was called: exit code 2 and the usage. */
export function usageError(message: string): AppError {
  return new AppError('invalid-request', message);
}

type Options = NonNullable<ParseArgsConfig['options']>;

export const DATA_DIR_OPTION = { 'data-dir': { type: 'string' } } as const satisfies Options;

export function parseCommandArgs<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw usageError(e instanceof Error ? e.message : String(e));
  }
}

/** --data-dir, else QRLOG_DATA_DIR. */
export function dataDirOf(values: { 'data-dir'?: string | boolean | undefined }, io: CommandIo): string {
  const dir = typeof values['data-dir'] === 'string' ? values['data-dir'] : io.env.QRLOG_DATA_DIR;
  if (dir === undefined || dir === '') throw usageError('--data-dir DIR (or QRLOG_DATA_DIR) is required');
  return dir;
}

/**
 * Services for a command, from its data dir and the environment (DATABASE_URL, QRLOG_DB_SCHEMA,
 * QRLOG_KEK…), validated as `qrlog serve` validates them. Only a command that `creates` the
 * database may be pointed at a data directory that has none.
 */
export function openCommandServices(dataDir: string, io: CommandIo, as: 'service' | 'owner' = 'service', creates = false): Promise<Services> {
  const config = loadStorageConfig(dataDir, io.env, { creates });
  return openServices({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    databaseSchema: config.databaseSchema,
    databaseServiceUrl: config.databaseServiceUrl,
    databaseServiceRole: config.databaseServiceRole,
    kek: { kek: config.kek, kekLabel: config.kekLabel, kekFile: config.kekFile },
    notice: (m) => { io.err(`qrlog: ${m}\n`); },
    as,
    poolSize: 2,
  });
}

/** Runs a command body with clear errors: usage and configuration → 2, other refusals → 1, message on stderr. */
export function command(name: string, usage: string, body: (argv: string[], io: CommandIo) => Promise<number>): ServerCommand {
  return async (argv, io = processIo) => {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(`usage: ${usage}\n`);
      return 0;
    }
    try {
      return await body(argv, io);
    } catch (e) {
      if (isAppError(e, 'invalid-request')) {
        io.err(`qrlog ${name}: ${e.message}\nusage: ${usage}\n`);
        return 2;
      }
      if (isAppError(e)) {
        io.err(`qrlog ${name}: ${e.message}\n`);
        return e.exitCode;
      }
      // Not an error of ours: a bug, so the stack goes with it.
      io.err(`qrlog ${name}: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      return 1;
    }
  };
}

export function printJson(io: CommandIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2) + '\n');
}

/** ISO 8601 with a zone (or a plain date, taken as UTC midnight) → Unix seconds. */
export function parseIsoTime(text: string, flag: string): number {
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text);
  const ms = Date.parse(text);
  if (!ok || Number.isNaN(ms)) throw usageError(`${flag} must be an ISO 8601 time with a zone, e.g. 2025-01-31T12:00:00Z`);
  return ms / 1000;
}

export function serialOption(value: string | boolean | undefined, required: boolean): string | undefined {
  if (value === undefined || typeof value === 'boolean') {
    if (required) throw usageError('--serial S is required');
    return undefined;
  }
  if (!isSerial(value)) throw usageError('--serial must be 1 to 12 characters of 0-9 and A-Z');
  return value;
}
