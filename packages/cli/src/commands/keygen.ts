import { generateKey, isSerial, toKeyFile } from '@qrlog/link';
import { integer, oneOf, parse, required } from '../args.ts';
import { usageError } from '../cli-error.ts';
import { writeKeyFile } from '../key-io.ts';
import type { Command } from '../command.ts';

export const keygen: Command = {
  name: 'keygen',
  summary: 'make a logger key file',
  usage: `qrlog keygen --serial SERIAL --out key.json [--key-version N] [--bits 128|256] [--force]

Writes a fresh random key (mode 0600). Prints {"serial", "keyVersion", "algorithm", "out"}; never the key.`,
  run(argv, io) {
    const { values } = parse(argv, {
      serial: { type: 'string' },
      out: { type: 'string' },
      'key-version': { type: 'string' },
      bits: { type: 'string' },
      force: { type: 'boolean' },
    });
    const serial = required(values.serial, '--serial').toUpperCase();
    if (!isSerial(serial)) throw usageError('--serial must be 1 to 12 characters of 0-9 and A-Z');
    const out = required(values.out, '--out');
    const bits = oneOf(values.bits, '--bits', ['128', '256'], '128');
    const key = generateKey(serial, { keyVersion: integer(values['key-version'], '--key-version', 0, 15, 0), bytes: bits === '256' ? 32 : 16 });
    writeKeyFile(out, key, values.force === true);
    const { algorithm } = toKeyFile(key);
    io.json({ serial, keyVersion: key.keyVersion, algorithm, out });
    return 0;
  },
};
