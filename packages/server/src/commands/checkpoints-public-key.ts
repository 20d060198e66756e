import { loadCheckpointConfig } from '../config/checkpoint-config.ts';
import { AppError } from '../common/app-error.ts';
import { loadCheckpointSigner } from '../keys/checkpoint-key.ts';
import { command, DATA_DIR_OPTION, parseCommandArgs } from './command-io.ts';

const USAGE = `qrlog checkpoints public-key [--data-dir DIR]
  Prints the public key (PEM) of the checkpoint signing key in QRLOG_CHECKPOINT_KEY_FILE or
  QRLOG_CHECKPOINT_KEY. Give it to auditors apart from the database: qrlog verify --public-key FILE.`;

export const checkpointsPublicKey = command('checkpoints public-key', USAGE, (argv, io) => {
  const v = parseCommandArgs(argv, DATA_DIR_OPTION);
  const dataDir = v['data-dir'] ?? (io.env.QRLOG_DATA_DIR || undefined);
  const signer = loadCheckpointSigner(loadCheckpointConfig(io.env), dataDir);
  if (signer === null) throw new AppError('invalid-configuration', 'no checkpoint signing key: set QRLOG_CHECKPOINT_KEY_FILE or QRLOG_CHECKPOINT_KEY');
  io.out(signer.publicKeyPem);
  io.err(`qrlog checkpoints public-key: key id ${signer.keyId}\n`);
  return Promise.resolve(0);
});
