/**
 * JSON schemas shared by the /api/v1 routes: Fastify validates requests and serializes answers
 * with them (fields not in a response schema are never sent), and the OpenAPI document is
 * generated from them.
 */

export const API_PREFIX = '/api/v1';
/** Most items a page may hold. */
export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

export const ORG_ID = { type: 'string', pattern: '^org_[0-9a-z]{24}$', description: 'An organization id' } as const;
export const TEAM_ID = { type: 'string', pattern: '^team_[0-9a-z]{24}$', description: 'A team id' } as const;
export const USER_ID = { type: 'string', pattern: '^usr_[0-9a-z]{24}$', description: 'A user id' } as const;
export const SERIAL = { type: 'string', pattern: '^[0-9A-Z]{1,12}$', description: 'A logger serial' } as const;
export const API_KEY_ID = { type: 'string', pattern: '^ak_[0-9a-f]{24}$', description: 'An API key id' } as const;
export const TIME = { type: 'string', format: 'date-time' } as const;
export const NULLABLE_TIME = { type: ['string', 'null'], format: 'date-time' } as const;
export const ROLE = { type: 'string', enum: ['admin', 'user'] } as const;
export const SHARE_ACCESS = { type: 'string', enum: ['read', 'read-write'] } as const;

export const ERROR = {
  type: 'object',
  description: 'Every error answer: a stable machine-readable code and a message for people.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

/** The error answers a route with a policy can give, for the document. */
export const ERRORS = { 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR } as const;

export const PAGE_QUERY = {
  cursor: { type: 'string', maxLength: 512, description: 'The `nextCursor` of the previous page (opaque)' },
  limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE },
} as const;

export interface PageQuery {
  cursor?: string;
  limit: number;
}

/** `{ items, nextCursor }`: nextCursor is null on the last page. */
export function page(item: object, description: string) {
  return {
    type: 'object',
    description,
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
  } as const;
}

export const ORGANIZATION = {
  type: 'object',
  required: ['id', 'name', 'operatorAccess', 'createdAt'],
  properties: {
    id: ORG_ID,
    name: { type: 'string' },
    operatorAccess: { type: 'boolean', description: 'Platform operators may read this organization\u2019s readings' },
    createdAt: TIME,
  },
} as const;

export const TEAM = {
  type: 'object',
  required: ['id', 'orgId', 'name', 'createdAt'],
  properties: { id: TEAM_ID, orgId: ORG_ID, name: { type: 'string' }, createdAt: TIME },
} as const;

export const MEMBER = {
  type: 'object',
  required: ['id', 'email', 'displayName', 'orgId', 'role', 'status', 'teamIds', 'createdAt'],
  properties: {
    id: USER_ID,
    email: { type: 'string' },
    displayName: { type: ['string', 'null'] },
    orgId: ORG_ID,
    role: ROLE,
    status: { type: 'string', enum: ['invited', 'active', 'disabled'] },
    teamIds: { type: 'array', items: TEAM_ID },
    createdAt: TIME,
  },
} as const;

export const LOGGER = {
  type: 'object',
  required: ['serial', 'model', 'orgId', 'teamId', 'claimedAt', 'lastScanAt'],
  properties: {
    serial: SERIAL,
    model: { type: ['string', 'null'] },
    orgId: ORG_ID,
    teamId: { ...TEAM_ID, description: 'The owning team' },
    claimedAt: TIME,
    lastScanAt: NULLABLE_TIME,
  },
} as const;

export function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}
