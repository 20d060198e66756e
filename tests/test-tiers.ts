import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { TestProject } from 'vitest/node';

/**
 * The suite's optional tiers, probed once before any test file loads (vitest globalSetup) and
 * handed to the test workers with `inject('tiers')`. Locally a missing tier is skipped and named in
 * the summary line's footnote; where QRLOG_TEST_<TIER>=required (CI) it fails the run instead.
 */
export interface TestTiers {
  /** PostgreSQL at DATABASE_URL, or 127.0.0.1:5432 (database `test`, user `postgres`). */
  postgres: boolean;
  /** Debian's chromium at /usr/bin/chromium, driven by playwright-core. */
  browser: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    tiers: TestTiers;
  }
}

export const CHROMIUM_PATH = '/usr/bin/chromium';

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => { done(false); });
    s.once('connect', () => { done(true); });
    s.once('error', () => { done(false); });
  });
}

const HOW_TO: Record<keyof TestTiers, string> = {
  postgres: 'set DATABASE_URL or start PostgreSQL on 127.0.0.1:5432',
  browser: `apt-get install chromium (${CHROMIUM_PATH}); .ci/run does`,
};

export default async function setup(project: TestProject): Promise<void> {
  const tiers: TestTiers = {
    postgres: process.env.DATABASE_URL !== undefined || (await portAnswers('127.0.0.1', 5432)),
    browser: existsSync(CHROMIUM_PATH),
  };
  for (const name of Object.keys(tiers) as (keyof TestTiers)[]) {
    const variable = `QRLOG_TEST_${name.toUpperCase()}`;
    if (process.env[variable] === 'required' && !tiers[name]) {
      throw new Error(`${variable}=required, but the ${name} tier cannot run: ${HOW_TO[name]}`);
    }
  }
  project.provide('tiers', tiers);
}

/** The tiers that did not run, with what would make them run (for the summary reporter). */
export function missingTiers(tiers: TestTiers): string[] {
  return (Object.keys(tiers) as (keyof TestTiers)[]).filter((n) => !tiers[n]).map((n) => `${n} (${HOW_TO[n]})`);
}
