import { resolve } from 'node:path';
import { generateCheckpointKeyFile } from '../keys/checkpoint-key.ts';
import { command, parseCommandArgs, usageError } from './command-io.ts';

const USAGE = `qrlog checkpoints keygen --out FILE [--data-dir DIR]
  Makes a new Ed25519 checkpoint signing key in FILE (PEM, mode 0600; never over an existing
  file, never inside the data directory) and prints its public key. Then set
  QRLOG_CHECKPOINT_KEY_FILE=FILE for the service and keep a copy of FILE apart from the backups.`;

export const checkpointsKeygen = command('checkpoints keygen', USAGE, (argv, io) => {
  const v = parseCommandArgs(argv, { out: { type: 'string' }, 'data-dir': { type: 'string' } });
  if (v.out === undefined || v.out === '') throw usageError('--out FILE is required');
  const dataDir = v['data-dir'] ?? (io.env.QRLOG_DATA_DIR || undefined);
  const signer = generateCheckpointKeyFile(resolve(v.out), dataDir === undefined ? undefined : resolve(dataDir));
  io.out(signer.publicKeyPem);
  io.err(`qrlog checkpoints keygen: wrote ${resolve(v.out)} (key id ${signer.keyId})\n`);
  return Promise.resolve(0);
});
