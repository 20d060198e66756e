/** What a command writes to: JSON for machines on stdout, text for people. */
export interface CommandIo {
  json(value: unknown): void;
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** The command prints its own usage for --help. */
  handlesHelp?: boolean;
  run(argv: string[], io: CommandIo): number | Promise<number>;
}
