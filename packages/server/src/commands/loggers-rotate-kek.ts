import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, usageError } from './command-io.ts';
import { AuthKeyStore } from '../keys/auth-key-store.ts';
import { rewrapIdentitySecrets } from '../identity/rewrap-identity-secrets.ts';
import type { Kek } from '../keys/key-wrap.ts';
import { KEK_LABEL, Keyring } from '../keys/keyring.ts';

const USAGE = `qrlog loggers rotate-kek --to LABEL --data-dir DIR
  Re-wraps every logger key under the KEK LABEL, row by row, while the service keeps running.
  With a KEK file (QRLOG_KEK_FILE or the default DIR/kek.json) LABEL becomes its active KEK,
  created if new. Then re-wraps the embedded provider's secrets, the TOTP secrets and the
  API-key and token-signing keys the same way ("identitySecrets", "authKeys"). Exits 1 if any key could not be re-wrapped.`;

export const loggersRotateKek = command('loggers rotate-kek', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, to: { type: 'string' } });
  if (v.to === undefined || !KEK_LABEL.test(v.to)) throw usageError('--to LABEL is required: 1 to 64 characters of A-Z a-z 0-9 . _ -');
  const services = await openCommandServices(dataDirOf(v, io), io);
  try {
    const report = await services.loggers.rotateKek(v.to);
    // rotateKek made sure the KEK exists; a keyring whose active KEK is it wraps the other secrets.
    const known = services.keyring.labels.map((label) => services.keyring.find(label)).filter((k): k is Kek => k !== undefined);
    const target = new Keyring({ active: v.to, keks: known });
    const identitySecrets = await rewrapIdentitySecrets(services.database.db, target);
    const authKeys = await new AuthKeyStore(services.database.db, target).rewrapAll();
    printJson(io, { ...report, identitySecrets, authKeys });
    return report.failed.length === 0 ? 0 : 1;
  } finally {
    await services.close();
  }
});
