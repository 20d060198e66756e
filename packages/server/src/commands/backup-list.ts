import { BackupService } from '../core/backup/backup-service.ts';
import { backupConfigOf, targetOf } from './backup-support.ts';
import { command, parseCommandArgs, printJson } from './command-io.ts';

const USAGE = `qrlog backup list --from DIR|s3://bucket/prefix
  Lists the complete backups (those with a manifest), oldest first, and the ids of backups cut
  short (objects without a manifest; never restored from). Needs no key.
  Prints {"location", "backups": [{"id", "createdAt", "engine", "bytes", "readings", "loggers", "checkpoints"}], "incomplete": [id…]}.`;

export const backupList = command('backup list', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { from: { type: 'string' } });
  const config = backupConfigOf(io);
  const listing = await new BackupService().list(targetOf(v.from, '--from', config));
  printJson(io, {
    location: listing.location,
    backups: listing.backups.map((m) => ({
      id: m.id,
      createdAt: m.createdAt,
      engine: m.engine,
      ...(m.schema === undefined ? {} : { schema: m.schema }),
      bytes: m.data.bytes + m.meta.bytes,
      readings: m.readings,
      loggers: m.loggers,
      checkpoints: m.checkpoints,
      durationMs: m.durationMs,
    })),
    incomplete: listing.incomplete,
  });
  return 0;
});
