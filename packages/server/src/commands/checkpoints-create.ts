import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson } from './command-io.ts';

const USAGE = `qrlog checkpoints create --data-dir DIR
  Signs the head of every logger's evidence chain now (one Merkle tree over all of them) and
  writes the checkpoint to QRLOG_CHECKPOINT_DIR, with the key in QRLOG_CHECKPOINT_KEY_FILE or
  QRLOG_CHECKPOINT_KEY. The service does the same every QRLOG_CHECKPOINT_INTERVAL minutes.`;

export const checkpointsCreate = command('checkpoints create', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, DATA_DIR_OPTION);
  const services = await openCommandServices(dataDirOf(v, io), io);
  try {
    const { file, checkpoint } = await services.checkpoints.create();
    printJson(io, { file, issuedAt: checkpoint.issuedAt, treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash, keyId: checkpoint.keyId });
    return 0;
  } finally {
    await services.close();
  }
});
