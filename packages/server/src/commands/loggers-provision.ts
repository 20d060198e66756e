import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { toKeyFile } from '@qrlog/link';
import { MAX_PROVISION_COUNT } from '../core/loggers/logger-admin-service.ts';
import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, usageError } from './command-io.ts';

const USAGE = `qrlog loggers provision --count N [--model M] --data-dir DIR --out FILE|DIR/
  Registers N new loggers (8-character serials, fresh 128-bit keys, stored wrapped) and writes
  the manufacturing file: a JSON list of key files, or one <serial>.json per logger when --out is
  a directory (existing, or ending in /). Key files are written mode 0600 and never overwritten.
  Each key file also holds the logger's claim code ("claimCode"), for its label: whoever claims
  the logger by serial must give it (it is stored only hashed, and works once). Print the code on
  the label, not the key.`;

export const loggersProvision = command('loggers provision', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, count: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' } });
  const count = Number(v.count);
  if (v.count === undefined || !/^\d+$/.test(v.count) || count < 1 || count > MAX_PROVISION_COUNT) {
    throw usageError(`--count must be an integer from 1 to ${String(MAX_PROVISION_COUNT)}`);
  }
  if (v.model !== undefined && !/^[\x20-\x7e]{1,64}$/.test(v.model)) throw usageError('--model must be 1 to 64 printable ASCII characters');
  if (v.out === undefined || v.out === '') throw usageError('--out FILE|DIR/ is required');
  const out = v.out;
  const dataDir = dataDirOf(v, io);
  const toDirectory = out.endsWith('/') || (existsSync(out) && statSync(out).isDirectory());

  // Claim the output before creating keys, so a bad path cannot leave keys nobody can flash.
  let fd: number | undefined;
  if (toDirectory) mkdirSync(out, { recursive: true, mode: 0o700 });
  else fd = claim(out);

  const services = await openCommandServices(dataDir, io, 'service', true);
  try {
    const provisioned = await services.loggers.provisionWithClaimCodes(count, v.model ?? null);
    const files = provisioned.map((p) => ({ ...toKeyFile(p.key), claimCode: p.claimCode }));
    if (fd !== undefined) {
      writeSync(fd, JSON.stringify(files, null, 2) + '\n');
      closeSync(fd);
      fd = undefined;
    } else {
      for (const f of files) {
        const one = claim(join(out, `${f.serial}.json`));
        writeSync(one, JSON.stringify(f, null, 2) + '\n');
        closeSync(one);
      }
    }
    printJson(io, { provisioned: files.length, model: v.model ?? null, out, layout: toDirectory ? 'file-per-logger' : 'list', serials: files.map((f) => f.serial), claimCodes: 'in the key files (claimCode), for the labels' });
    return 0;
  } finally {
    if (fd !== undefined) closeSync(fd);
    await services.close();
  }
});

function claim(path: string): number {
  try {
    return openSync(path, 'wx', 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw usageError(code === 'EEXIST' ? `${path} exists; key files are never overwritten` : `cannot create ${path}: ${code ?? 'error'}`);
  }
}
