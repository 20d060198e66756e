import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { PUBLIC_URL, startAccessApp, type AccessApp } from '../support/access-app.ts';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  additionalProperties?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
}
interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface Document {
  servers?: { url: string }[];
  security?: unknown[];
  components?: { securitySchemes?: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
}

/** An object schema that says nothing about its fields: a body a generated client can only type as unknown. */
function untyped(schema: Schema | undefined): boolean {
  if (schema === undefined) return true;
  if (schema.anyOf !== undefined || schema.oneOf !== undefined) return false;
  return schema.type === 'object' && Object.keys(schema.properties ?? {}).length === 0;
}

function jsonSchema(op: Operation, status: string): Schema | undefined {
  return op.responses[status]?.content?.['application/json']?.schema;
}

/** The API's error body, `{ error: { code, message } }`. */
function isErrorBody(schema: Schema | undefined): boolean {
  const error = schema?.properties?.error;
  return error?.properties?.code !== undefined && error.properties.message !== undefined;
}

/** RFC 6749's error body, `{ error, error_description }` (the token endpoint). */
function isOAuthErrorBody(schema: Schema | undefined): boolean {
  return schema?.properties?.error !== undefined && schema.properties.error_description !== undefined;
}

describe.each(TEST_DATABASE_KINDS)('the served /api/v1/openapi.json, as a generated client reads it (%s)', (kind) => {
  let qrlog: AccessApp;
  let doc: Document;
  let operations: { key: string; op: Operation; isPublic: boolean }[];

  beforeAll(async () => {
    qrlog = await startAccessApp(kind);
    const answer = await qrlog.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(answer.statusCode).toBe(200);
    doc = answer.json<Document>();
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op, isPublic: Array.isArray(op.security) && op.security.length === 0 })),
    );
  });

  afterAll(async () => {
    await qrlog.close();
  });

  it('names the configured public URL as its server', () => {
    expect(doc.servers).toEqual([{ url: PUBLIC_URL }]);
  });

  it('gives every operation a stable camelCase operationId, unique in the document, a summary and a tag', () => {
    expect(operations.length).toBeGreaterThan(30);
    for (const { key, op } of operations) {
      expect(op.operationId, key).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(op.summary, key).toBeTruthy();
      expect(op.tags?.length, key).toBeGreaterThan(0);
    }
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    // Names clients already call by: renaming one breaks them.
    const byId = new Map(operations.map((o) => [o.op.operationId, o.key]));
    expect(byId.get('listLoggers')).toBe('GET /api/v1/loggers');
    expect(byId.get('listReadings')).toBe('GET /api/v1/loggers/{serial}/readings');
    expect(byId.get('exportReadings')).toBe('GET /api/v1/loggers/{serial}/export');
    expect(byId.get('requestAccessToken')).toBe('POST /api/v1/auth/token');
  });

  it('types every request and success body (no untyped object)', () => {
    for (const { key, op } of operations) {
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) expect(untyped(media.schema), `${key} request ${type}`).toBe(false);
      for (const status of Object.keys(op.responses).filter((s) => s.startsWith('2') && s !== '204')) {
        // JSON mostly; files (a report as PDF or CSV) name their own media types.
        const media = Object.entries(op.responses[status]?.content ?? {});
        expect(media.length, `${key} ${status}`).toBeGreaterThan(0);
        for (const [type, { schema }] of media) expect(untyped(schema), `${key} ${status} ${type}`).toBe(false);
      }
    }
  });

  it('describes the readings export as it is: sessions, channels of readings, shock events', () => {
    const exported = jsonSchema(doc.paths['/api/v1/loggers/{serial}/export']?.get ?? { responses: {} }, '200');
    expect(Object.keys(exported?.properties ?? {}).sort()).toEqual(['channels', 'serial', 'sessions', 'shock']);
    expect(exported?.required?.sort()).toEqual(['channels', 'serial', 'sessions']);
    const reading = exported?.properties?.channels?.items?.properties?.readings?.items;
    expect(Object.keys(reading?.properties ?? {}).sort()).toEqual(['seq', 'status', 't', 'v']);
  });

  it('documents 401, 403 and 503 with the error body on every operation that needs a caller, and 429 at the token endpoint', () => {
    const guarded = operations.filter((o) => !o.isPublic);
    expect(guarded.length).toBeGreaterThan(25);
    for (const { key, op } of guarded) {
      // 503: a bearer token cannot be checked while the identity provider's keys are out of reach.
      for (const status of ['401', '403', '503']) expect(isErrorBody(jsonSchema(op, status)), `${key} ${status}`).toBe(true);
    }
    const token = doc.paths['/api/v1/auth/token']?.post;
    expect(token?.security).toEqual([]);
    for (const status of ['400', '401', '429']) expect(isOAuthErrorBody(jsonSchema(token ?? { responses: {} }, status)), `token ${status}`).toBe(true);
    // Every error answer a route declares has a body schema a client can read.
    for (const { key, op } of operations) {
      for (const status of Object.keys(op.responses).filter((s) => /^[45]/.test(s))) {
        const body = jsonSchema(op, status);
        expect(isErrorBody(body) || isOAuthErrorBody(body), `${key} ${status}`).toBe(true);
      }
    }
  });

  it('says how to authenticate: bearer or session by default, nothing on the public operations', () => {
    expect(Object.keys(doc.components?.securitySchemes ?? {}).sort()).toEqual(['bearer', 'session']);
    expect(doc.security).toEqual([{ bearer: [] }, { session: [] }]);
    const publicOps = operations.filter((o) => o.isPublic).map((o) => o.key).sort();
    expect(publicOps).toEqual(['GET /api/v1/auth/jwks.json', 'POST /api/v1/auth/token', 'POST /api/v1/scans', 'POST /api/v1/scans/{scanId}/location']);
  });
});
