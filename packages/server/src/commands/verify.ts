import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, serialOption } from './command-io.ts';

const USAGE = `qrlog verify [--serial S] --data-dir DIR
  Recomputes each logger's evidence hash chain and re-opens every stored link with its key.
  Exits 1 on any break.`;

export const verify = command('verify', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, serial: { type: 'string' } });
  const serial = serialOption(v.serial, false);
  const services = await openCommandServices(dataDirOf(v, io), io);
  try {
    const reports = await services.verifier.verify(serial);
    if (serial !== undefined && reports.length === 0) {
      io.err(`qrlog verify: unknown serial ${serial}\n`);
      return 1;
    }
    const broken = reports.filter((r) => !r.ok);
    printJson(io, {
      ok: broken.length === 0,
      loggers: reports.length,
      links: reports.reduce((n, r) => n + r.links, 0),
      broken: broken.map((r) => ({ serial: r.serial, problems: r.problems })),
    });
    if (broken.length > 0) io.err(`qrlog verify: ${String(broken.length)} logger chain(s) broken\n`);
    return broken.length === 0 ? 0 : 1;
  } finally {
    await services.close();
  }
});
