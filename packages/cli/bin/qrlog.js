#!/usr/bin/env node
// The `qrlog` command. Runs the TypeScript sources directly through tsx, so a fresh clone needs no
// build step; main.ts sets the exit code.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
