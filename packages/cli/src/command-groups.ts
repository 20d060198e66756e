import type { Command } from './command.ts';
import { commands } from './commands.ts';

/** Commands whose name is two words form a group named by the first (`loggers provision` → `loggers`). */
export function groupCommands(group: string): Command[] {
  return commands.filter((c) => c.name.startsWith(`${group} `));
}

/** What `qrlog <group>` and `qrlog <group> --help` print: the group's subcommands. */
export function groupHelp(group: string): string {
  const members = groupCommands(group);
  const width = Math.max(...members.map((c) => c.name.length));
  return `Usage: qrlog ${group} <subcommand> [options]     (qrlog ${group} <subcommand> --help for its options)

${members.map((c) => `  qrlog ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}
`;
}
