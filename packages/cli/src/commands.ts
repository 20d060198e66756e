import type { Command } from './command.ts';
import { decoder } from './commands/decoder.ts';
import { keygen } from './commands/keygen.ts';
import { linkOpen } from './commands/link-open.ts';
import { linkPack } from './commands/link-pack.ts';
import { serverCommands } from './commands/server-commands.ts';
import { simulate } from './commands/simulate.ts';

/** Every `qrlog` command; names of two words are groups (`link pack`). */
export const commands: Command[] = [keygen, linkPack, linkOpen, decoder, simulate, ...serverCommands];

export function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  const two = `${argv[0] ?? ''} ${argv[1] ?? ''}`;
  const byTwo = commands.find((c) => c.name === two);
  if (byTwo) return { command: byTwo, rest: argv.slice(2) };
  const byOne = commands.find((c) => c.name === argv[0]);
  return byOne ? { command: byOne, rest: argv.slice(1) } : undefined;
}
