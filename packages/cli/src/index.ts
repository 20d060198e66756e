export { commands, findCommand } from './commands.ts';
export type { Command, CommandIo } from './command.ts';
