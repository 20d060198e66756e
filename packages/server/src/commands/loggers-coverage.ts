import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, serialOption } from './command-io.ts';

const USAGE = `qrlog loggers coverage --serial S --data-dir DIR
  Per channel and logging session: the sequence ranges stored and the ranges missing between them.`;

export const loggersCoverage = command('loggers coverage', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, serial: { type: 'string' } });
  const serial = serialOption(v.serial, true) ?? '';
  const services = await openCommandServices(dataDirOf(v, io), io);
  try {
    if (!(await services.loggers.exists(serial))) {
      io.err(`qrlog loggers coverage: unknown serial ${serial}\n`);
      return 1;
    }
    printJson(io, { serial, channels: await services.readings.coverage(serial) });
    return 0;
  } finally {
    await services.close();
  }
});
