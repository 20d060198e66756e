import { loadStorageConfig } from '../config/storage-config.ts';
import { AccountTokens } from '../identity/account-tokens.ts';
import { SetupLinks } from '../identity/setup-links.ts';
import { AuditLog } from '../core/audit/audit-log.ts';
import { openDatabase } from '../storage/open-database.ts';
import { command, DATA_DIR_OPTION, dataDirOf, parseCommandArgs, printJson, usageError } from './command-io.ts';

const USAGE = `qrlog operators setup-link --data-dir DIR [--public-url https://HOST[:PORT]]
  Prints {"link", "expiresAt"}: a one-time link that makes a platform operator account (email,
  password, authenticator app) on the embedded identity provider. It works once, for 24 hours.
  qrlog serve prints one by itself on start while no operator exists; this prints a fresh one
  (also for a further operator). The link starts with --public-url, else QRLOG_PUBLIC_URL, else
  https://localhost:PORT (QRLOG_PORT, default 8443). Anyone holding the link can use it: pass it
  on privately.`;

export const operatorsSetupLink = command('operators setup-link', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, 'public-url': { type: 'string' } });
  const publicUrl = publicUrlOf(v['public-url'] ?? io.env.QRLOG_PUBLIC_URL, io.env.QRLOG_PORT);
  const config = loadStorageConfig(dataDirOf(v, io), io.env, { creates: false });
  const database = await openDatabase({ ...config, poolSize: 2 });
  try {
    const audit = new AuditLog(database.db);
    const links = new SetupLinks(database.db, new AccountTokens(database.db), audit, publicUrl);
    const { link, expiresAt } = await links.issue({ kind: 'operator-cli' });
    printJson(io, { link, expiresAt: expiresAt.toISOString() });
    return 0;
  } finally {
    await database.close();
  }
});

function publicUrlOf(given: string | undefined, port: string | undefined): string {
  if (given === undefined || given === '') return `https://localhost:${port === undefined || port === '' ? '8443' : port}`;
  let u: URL;
  try {
    u = new URL(given);
  } catch {
    throw usageError('--public-url must be https://host[:port]');
  }
  if (u.protocol !== 'https:' || (u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.hash !== '') throw usageError('--public-url must be https://host[:port]');
  return u.origin;
}
