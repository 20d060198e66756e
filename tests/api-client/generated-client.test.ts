import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { apiKeyTokens, createQrlogClient, type QrlogClient } from '@qrlog/api-client';
import { trustingFetch } from '../support/trusting-fetch.ts';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { loggerWindow } from '../../packages/server/src/testing/logger-window.ts';
import { provisionLoggers, SESSION_START, windowLink } from '../support/fleet.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';

const CHECKED_IN_DOCUMENT = join(import.meta.dirname, '..', '..', 'packages', 'api-client', 'openapi.json');

/**
 * The generated client (@qrlog/api-client) against a real `qrlog serve` process over HTTPS: the
 * only calls to the API are the client's own, typed by the document the service serves.
 */
describe.each(ENGINES)('the generated API client against a real qrlog serve process (%s)', (engine) => {
  let store: ServerStore | undefined;
  let server: ServerProcess | undefined;
  let origin: string;
  let fetch: (request: Request) => Promise<Response>;
  let logger: LoggerKey;
  let apiKey: { id: string; secret: string };
  let anonymous: QrlogClient;

  beforeAll(async () => {
    const { dataDir, databaseUrl } = (store = await createServerStore(engine));
    [logger] = (await provisionLoggers(store, 1)) as [LoggerKey];
    // The operator's acts, as commands on the host: an organization, the logger claimed into it, an API key.
    const env = { DATABASE_URL: databaseUrl };
    const org = json<{ id: string }>(qrlog(['orgs', 'create', '--name', 'Cold Chain Ltd', '--data-dir', dataDir], { env }));
    json<unknown>(qrlog(['loggers', 'claim', '--org', org.id, '--serial', logger.serial, '--data-dir', dataDir], { env }));
    apiKey = json<{ id: string; secret: string }>(qrlog(['api-keys', 'create', '--org', org.id, '--scope', 'read', '--data-dir', dataDir], { env }));

    // No --public-url: the document names the origin each request reached.
    const port = await freePort();
    const started = (server = await startServerProcess({ dataDir, args: ['--port', String(port)], env }));
    origin = `https://localhost:${String(port)}`;
    fetch = trustingFetch(started.ca);
    anonymous = createQrlogClient(origin, { fetch });
  }, 120_000);

  afterAll(async () => {
    if (server !== undefined) expect(await server.stop()).toBe(0);
    // The API key's secret never reaches the log, whatever the client sent.
    if (server !== undefined) expect(server.output()).not.toContain(apiKey.secret);
    await store?.cleanup();
  });

  it('was generated from the document this service serves, which names the origin it was asked at as its server', async () => {
    const answer = await fetch(new Request(`${origin}/api/v1/openapi.json`));
    expect(answer.status).toBe(200);
    const served = (await answer.json()) as { servers?: unknown; paths: unknown };
    expect(served.servers).toEqual([{ url: origin }]);
    const checkedIn = JSON.parse(readFileSync(CHECKED_IN_DOCUMENT, 'utf8')) as { servers?: unknown };
    expect({ ...served, servers: undefined }).toEqual({ ...checkedIn, servers: undefined });
  });

  it('gets an access token for an API key at the token endpoint, and a typed RFC 6749 error for a wrong secret', async () => {
    const { data, error, response } = await anonymous.POST('/api/v1/auth/token', {
      body: { grant_type: 'client_credentials', client_id: apiKey.id, client_secret: apiKey.secret },
    });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ token_type: 'Bearer', scope: 'read' });
    expect(data?.expires_in).toBeGreaterThan(0);

    const refused = await anonymous.POST('/api/v1/auth/token', { body: { grant_type: 'client_credentials', client_id: apiKey.id, client_secret: `${apiKey.secret}x` } });
    expect(refused.response.status).toBe(401);
    expect(refused.data).toBeUndefined();
    expect(refused.error?.error).toBe('invalid_client');
    expectTypeOf(refused.error?.error).toEqualTypeOf<'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'temporarily_unavailable' | 'server_error' | undefined>();
  });

  it('sends a scanned link and reads the logger\u2019s readings back with the API key\u2019s token', async () => {
    const link = windowLink(logger, { firstSeq: 0, count: 144 });
    const sent = await anonymous.POST('/api/v1/scans', { body: { links: [link] } });
    expect(sent.data?.results).toEqual([{ status: 'accepted', serial: logger.serial, newReadings: 288, knownReadings: 0, conflicts: 0, duplicateLink: false }]);

    const client = createQrlogClient(origin, { fetch, token: apiKeyTokens(origin, apiKey, { fetch }) });
    const me = await client.GET('/api/v1/me');
    expect(me.data).toMatchObject({ kind: 'api-key', keyId: apiKey.id, scope: 'read' });

    const { data, error } = await client.GET('/api/v1/loggers/{serial}/readings', {
      params: { path: { serial: logger.serial }, query: { channel: 'temperature' } },
    });
    expect(error).toBeUndefined();
    if (data === undefined) throw new Error('no readings');
    expectTypeOf(data.t).toEqualTypeOf<number[]>();
    expectTypeOf(data.v).toEqualTypeOf<(number | null)[]>();
    const expected = loggerWindow({ serial: logger.serial, sessionStart: SESSION_START, firstSeq: 0, count: 144 }).channels.temperature?.samples;
    expect(data).toMatchObject({ serial: logger.serial, channel: 'temperature', unit: '°C', nextCursor: null });
    expect(data.t).toEqual(Array.from({ length: 144 }, (_, i) => SESSION_START + i * 600));
    expect(data.v).toEqual(expected);

    // The export, typed by its schema: the same values.
    const exported = await client.GET('/api/v1/loggers/{serial}/export', { params: { path: { serial: logger.serial } } });
    const temperature = exported.data?.channels.find((c) => c.name === 'temperature');
    expect(temperature?.readings.map((r) => r.v)).toEqual(expected);
    expect(exported.data?.sessions).toEqual([{ session: 1, sessionStart: new Date(SESSION_START * 1000).toISOString().replace('.000Z', 'Z'), interval: 600 }]);
  });

  it('answers a call without a token with the API\u2019s typed error', async () => {
    const { data, error, response } = await anonymous.GET('/api/v1/loggers/{serial}/readings', {
      params: { path: { serial: logger.serial }, query: { channel: 'temperature' } },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(401);
    expect(error?.error.code).toBe('unauthorized');
  });
});
