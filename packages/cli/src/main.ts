import { groupCommands, groupHelp } from './command-groups.ts';
import { commands, findCommand } from './commands.ts';
import type { CommandIo } from './command.ts';
import { errorReport } from './error-report.ts';

const io: CommandIo = {
  json: (v) => process.stdout.write(JSON.stringify(v, null, 2) + '\n'),
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `qrlog — QR data loggers: sealed links, simulator, ingestion service

Usage: qrlog <command> [options]     (qrlog <command> --help for its options)

${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}
`;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(help());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  const group = argv[0] ?? '';
  if (!found && groupCommands(group).length > 0) {
    // `qrlog loggers` and `qrlog loggers --help` ask what the group holds; like bare `qrlog`, no subcommand is exit 2.
    const asked = argv[1] === undefined || argv[1] === '--help' || argv[1] === '-h';
    if (asked) io.out(groupHelp(group));
    else io.err(`qrlog: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${groupHelp(group)}`);
    return argv[1] === '--help' || argv[1] === '-h' ? 0 : 2;
  }
  if (!found) {
    io.err(`qrlog: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${help()}`);
    return 2;
  }
  const { command, rest } = found;
  if (!command.handlesHelp && (rest.includes('--help') || rest.includes('-h'))) {
    io.out(command.usage + '\n');
    return 0;
  }
  return command.run(rest, io);
}

// A closed pipe (`qrlog … | head`) is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  const report = errorReport(e);
  process.stderr.write(`qrlog: ${report.text}\n`);
  process.exitCode = report.exitCode;
}
