import { sealLink, type LoggerKey } from '@qrlog/link';
import { openServices } from '../../packages/server/src/index.ts';
import { loggerWindow, type WindowOptions } from '../../packages/server/src/testing/logger-window.ts';
import type { ServerStore } from './test-engines.ts';

/** Loggers registered through the services, as `qrlog loggers provision` does; their keys are what a factory flashes. */
export async function provisionLoggers(store: ServerStore, count: number): Promise<LoggerKey[]> {
  const services = await openServices({ dataDir: store.dataDir, databaseUrl: store.databaseUrl, notice: () => undefined });
  try {
    return await services.loggers.provision(count, 'test');
  } finally {
    await services.close();
  }
}

/** Ten days ago, on a whole minute: the start of every test logger's session, so windows end before now. */
export const SESSION_START = Math.floor(Date.now() / 60_000) * 60 - 10 * 86_400;

/** A sealed link of `key`'s logger holding sequence numbers [firstSeq, firstSeq + count). */
export function windowLink(key: LoggerKey, o: Omit<WindowOptions, 'serial' | 'keyVersion' | 'sessionStart'> & { sessionStart?: number }): string {
  const content = loggerWindow({ serial: key.serial, keyVersion: key.keyVersion, sessionStart: SESSION_START, ...o });
  return sealLink(content, key, { baseUrl: 'https://qr.example/' }).url;
}

/** The path a phone's GET of the link asks for. */
export function linkPath(url: string): string {
  return new URL(url).pathname;
}
