import { isLinkError, linkToJson, openLink } from '@qrlog/link';
import { parse, required } from '../args.ts';
import { CliError, usageError } from '../cli-error.ts';
import { readKeyFile } from '../key-io.ts';
import type { Command } from '../command.ts';

export const linkOpen: Command = {
  name: 'link open',
  summary: 'verify and open a link offline with its key',
  usage: `qrlog link open --key key.json URL

Prints {"serial", "channels": [{"name", "unit", "readings": [{"seq", "t", "v"}]}], …}. A link that
fails verification prints nothing on stdout, the reason on stderr, and exits 1.`,
  run(argv, io) {
    const { values, positionals } = parse(argv, { key: { type: 'string' } }, true);
    const key = readKeyFile(required(values.key, '--key'));
    if (positionals.length !== 1) throw usageError('give exactly one link');
    try {
      io.json(linkToJson(openLink(positionals[0] ?? '', key)));
    } catch (e) {
      if (isLinkError(e)) throw new CliError(`link rejected (${e.code}): ${e.message}`);
      throw e;
    }
    return 0;
  },
};
