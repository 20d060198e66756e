import { CliError } from './cli-error.ts';
import { commands, findCommand } from './commands.ts';
import type { CommandIo } from './command.ts';

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
  if (e instanceof CliError) {
    process.stderr.write(`qrlog: ${e.message}\n`);
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`qrlog: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
