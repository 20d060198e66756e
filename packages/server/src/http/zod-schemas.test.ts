import Fastify from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { installErrorResponses } from './error-responses.ts';
import { PAGE_QUERY } from './routes/api/api-schemas.ts';
import { useZodSchemas } from './zod-schemas.ts';

/** A bare app with the API's schema compilers and the one error mapper, and one route. */
async function appWith() {
  const app = Fastify({ logger: false });
  installErrorResponses(app);
  useZodSchemas(app);
  app.withTypeProvider<ZodTypeProvider>().post(
    '/things',
    { schema: { querystring: PAGE_QUERY, body: z.strictObject({ name: z.string().max(5) }), response: { 200: z.object({ name: z.string(), limit: z.int() }) } } },
    // The handler answers with a field its response schema does not declare.
    (request) => Promise.resolve({ name: request.body.name, limit: request.query.limit, secret: 'not for the client' }),
  );
  await app.ready();
  return app;
}

describe('zod route schemas', () => {
  it('sends only the fields a response schema declares, and applies query defaults', async () => {
    const app = await appWith();
    const r = await app.inject({ method: 'POST', url: '/things', payload: { name: 'ab' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ name: 'ab', limit: 100 });
    expect(r.body).not.toContain('secret');
    await app.close();
  });

  it('refuses unknown body and query fields and broken rules in the API error shape, never echoing the value', async () => {
    const app = await appWith();
    const cases: [string, object, string][] = [
      ['/things', { name: 'ab', extra: 'LEAKME' }, 'body/extra: unknown field'],
      ['/things?extra=LEAKME', { name: 'ab' }, 'querystring/extra: unknown field'],
      ['/things', { name: 'LEAKME-too-long' }, 'body/name: must have at most 5 characters'],
      ['/things', { name: 7 }, 'body/name: must be string'],
      ['/things', {}, 'body/name: must be string'],
      ['/things?limit=0', { name: 'ab' }, 'querystring/limit: must be >= 1'],
      ['/things?limit=1001', { name: 'ab' }, 'querystring/limit: must be <= 1000'],
    ];
    for (const [url, payload, message] of cases) {
      const r = await app.inject({ method: 'POST', url, payload });
      expect(r.statusCode, url).toBe(400);
      expect(r.json()).toEqual({ error: { code: 'invalid-request', message } });
      expect(r.body, url).not.toContain('LEAKME');
    }
    await app.close();
  });
});
