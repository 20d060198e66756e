import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { LoggerKey } from '@qrlog/link';
import { Logger } from '@qrlog/simulator';
import { CliError } from './cli-error.ts';

/**
 * A simulated logger's state lives beside its key file (`keys/X.json` → `keys/X.state.json`), so
 * a second `qrlog simulate` with the same key continues the same logger (session, memory, clock)
 * instead of starting over and sending readings that contradict the ones already stored.
 * The key itself is never written there.
 */
export function statePathFor(keyPath: string): string {
  return `${keyPath.replace(/\.json$/i, '')}.state.json`;
}

/** The logger saved at `path`, or undefined when there is none yet. */
export function readLoggerState(path: string, key: LoggerKey): Logger | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return Logger.fromState(JSON.parse(readFileSync(path, 'utf8')), key);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new CliError(`logger state ${path} is unusable (${why}); delete it to start a new logger, whose readings the service will see as conflicting`);
  }
}

/** Saved after every frame, so Ctrl-C loses nothing; written aside and renamed, so never half a file. */
export function writeLoggerState(path: string, logger: Logger): void {
  const aside = `${path}.tmp`;
  try {
    writeFileSync(aside, JSON.stringify(logger.toState()) + '\n');
    renameSync(aside, path);
  } catch (e) {
    throw new CliError(`cannot write logger state ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
