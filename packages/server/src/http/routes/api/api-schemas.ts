import { z } from 'zod';

/**
 * The zod schemas shared by the /api/v1 routes: the one source of a shape. Fastify validates
 * requests and serializes answers with them (fields not in a response schema are never sent),
 * the handlers' types are inferred from them, and the OpenAPI document is generated from them.
 * Request objects are strict (an unknown field is refused, not silently dropped); response
 * objects are not (undeclared fields are stripped on the way out).
 */

export const API_PREFIX = '/api/v1';
/** Most items a page may hold. */
export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

export const ORG_ID = z.string().regex(/^org_[0-9a-z]{24}$/).describe('An organization id');
export const TEAM_ID = z.string().regex(/^team_[0-9a-z]{24}$/).describe('A team id');
export const USER_ID = z.string().regex(/^usr_[0-9a-z]{24}$/).describe('A user id');
export const SERIAL = z.string().regex(/^[0-9A-Z]{1,12}$/).describe('A logger serial');
export const API_KEY_ID = z.string().regex(/^ak_[0-9a-f]{24}$/).describe('An API key id');
/** An RFC 3339 time; an offset other than Z is accepted in requests. */
export const TIME = z.iso.datetime({ offset: true });
export const NULLABLE_TIME = TIME.nullable();
export const ROLE = z.enum(['admin', 'user']);
export const SHARE_ACCESS = z.enum(['read', 'read-write']);
export const SCOPE = z.enum(['read', 'write', 'admin']);
export const NAME = z.string().min(1).max(100);

export const ERROR = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .describe('Every error answer: a stable machine-readable code and a message for people.');

/**
 * The error answers a route with a policy can give, for the document. 503: a bearer token cannot
 * be checked while the identity provider's keys are out of reach (auth/authenticate.ts).
 */
export const ERRORS = { 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR, 503: ERROR } as const;

/** A 204 answer: no body (a route sends null; Fastify writes no body for a 204). */
export const NO_CONTENT = z.null().describe('No content');

export const ORG_PARAMS = z.strictObject({ orgId: ORG_ID });
export const SERIAL_PARAMS = z.strictObject({ serial: SERIAL });

/** Paging fields of a querystring (querystrings arrive as text: limit is coerced). */
export const PAGE_FIELDS = {
  cursor: z.string().max(512).optional().describe('The `nextCursor` of the previous page (opaque)'),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
};
export const PAGE_QUERY = z.strictObject(PAGE_FIELDS);
export type PageQuery = z.output<typeof PAGE_QUERY>;

/** `{ items, nextCursor }`: nextCursor is null on the last page. */
export function page<T extends z.ZodType>(item: T, description: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).describe(description);
}

export const ORGANIZATION = z.object({
  id: ORG_ID,
  name: z.string(),
  operatorAccess: z.boolean().describe('Platform operators may read this organization\u2019s readings'),
  createdAt: TIME,
});

export const TEAM = z.object({ id: TEAM_ID, orgId: ORG_ID, name: z.string(), createdAt: TIME });

export const MEMBER = z.object({
  id: USER_ID,
  email: z.string(),
  displayName: z.string().nullable(),
  orgId: ORG_ID,
  role: ROLE,
  status: z.enum(['invited', 'active', 'disabled']),
  teamIds: z.array(TEAM_ID),
  createdAt: TIME,
});

export const LOGGER = z.object({
  serial: SERIAL,
  model: z.string().nullable(),
  orgId: ORG_ID,
  teamId: TEAM_ID.describe('The owning team'),
  claimedAt: TIME,
  lastScanAt: NULLABLE_TIME,
});

export function iso(d: Date): string;
export function iso(d: Date | null): string | null;
export function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}
