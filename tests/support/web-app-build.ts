import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'vite';

const ROOT = join(import.meta.dirname, '..', '..');
/** What the web app's build depends on: its own sources and the generated API client it calls. */
const INPUTS = [join(ROOT, 'packages', 'web'), join(ROOT, 'packages', 'api-client', 'src')];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : files(path);
    return [path];
  });
}

function sourceDigest(): string {
  const hash = createHash('sha256');
  for (const path of INPUTS.flatMap(files).sort()) hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/**
 * The web app built by Vite once for its current sources, shared by every browser test file and
 * worker (and by later runs while the sources stay the same): the first caller builds into a
 * directory named after the sources' digest, the others wait for it. A lock directory (mkdir is
 * atomic) says a build is under way; a stale one (a killed run) is taken over after two minutes.
 */
export async function builtWebApp(): Promise<string> {
  const dir = join(tmpdir(), `qrlog-web-${sourceDigest()}`);
  const lock = `${dir}.lock`;
  for (;;) {
    if (existsSync(join(dir, 'index.html'))) return dir;
    try {
      mkdirSync(lock);
    } catch {
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmSync(lock, { recursive: true, force: true });
      await sleep(250);
      continue;
    }
    try {
      const scratch = `${dir}.${String(process.pid)}`;
      await build({ configFile: join(ROOT, 'packages', 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir: scratch, emptyOutDir: true } });
      rmSync(dir, { recursive: true, force: true });
      renameSync(scratch, dir);
      return dir;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
