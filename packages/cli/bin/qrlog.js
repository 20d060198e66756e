#!/usr/bin/env node
// The `qrlog` command: runs the compiled JavaScript in ../dist with plain Node (no TypeScript loader,
// which is a development tool). main.js sets the exit code. From a checkout without a build, say how
// to get one instead of failing with a module-not-found stack trace.
import { existsSync } from 'node:fs';
import process from 'node:process';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'qrlog: not built yet (no packages/cli/dist). Run `npm run build` first,\n' +
      'or run the TypeScript sources directly with `npm run qrlog -- <command>`.\n',
  );
  process.exit(1);
}
await import(main.href);
