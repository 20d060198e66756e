/**
 * Process entry for `qrlog serve` from the sources (node --conditions=development --import tsx packages/server/src/commands/serve-main.ts),
 * used by tests and benchmarks that need a real server process; the CLI routes `qrlog serve`
 * to `serve()` the same way.
 */
import { serve } from './serve.ts';

const code = await serve(process.argv.slice(2));
// Exit explicitly: a driver's idle socket must not keep a stopped server's process alive.
process.exit(code);
