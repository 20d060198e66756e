import { readFileSync, writeFileSync } from 'node:fs';
import { fromKeyFile, isLinkError, toKeyFile, type LoggerKey } from '@qrlog/link';
import { CliError } from './cli-error.ts';

export function readKeyFile(path: string): LoggerKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`key file ${path} is not JSON`);
  }
  try {
    return fromKeyFile(json);
  } catch (e) {
    if (isLinkError(e)) throw new CliError(`key file ${path}: ${e.message}`);
    throw e;
  }
}

/** Writes a key file readable by its owner only; refuses to replace an existing file unless `force`. */
export function writeKeyFile(path: string, key: LoggerKey, force: boolean): void {
  try {
    writeFileSync(path, JSON.stringify(toKeyFile(key), null, 2) + '\n', { mode: 0o600, flag: force ? 'w' : 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`${path} exists; pass --force to replace it`);
    throw new CliError(`cannot write ${path}: ${code ?? 'error'}`);
  }
}
