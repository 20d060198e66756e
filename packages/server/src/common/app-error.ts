/**
 * The one error type of the service. Services, routes and commands throw it with a stable code;
 * `http/error-responses.ts` turns it into JSON, a page or a redirect by the route's kind, and
 * the commands into a one-line message and an exit code. `message` is for people: it never
 * carries secrets, link payloads or why a link was refused. `reason` is a finer machine-readable
 * word for callers that must tell cases apart (e.g. `email-taken`); `details` lists problems.
 */
export type AppErrorCode =
  | 'invalid-request'
  | 'invalid-configuration'
  | 'not-found'
  | 'method-not-allowed'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'location-refused'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  | 'rate-limited'
  | 'not-ready'
  | 'unavailable'
  | 'failed'
  | 'internal';

const HTTP_STATUS: Record<AppErrorCode, number> = {
  'invalid-request': 400,
  'invalid-configuration': 500,
  'not-found': 404,
  'method-not-allowed': 405,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'location-refused': 409,
  unauthorized: 401,
  forbidden: 403,
  conflict: 409,
  'rate-limited': 429,
  'not-ready': 503,
  unavailable: 503,
  failed: 500,
  internal: 500,
};

export interface AppErrorOptions {
  reason?: string;
  details?: readonly string[];
  cause?: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly reason: string | undefined;
  readonly details: readonly string[];

  constructor(
    readonly code: AppErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options.reason;
    this.details = options.details ?? [];
  }

  get statusCode(): number {
    return HTTP_STATUS[this.code];
  }

  /** A command's exit code: 2 for a mistake in how it was called or configured, 1 otherwise. */
  get exitCode(): number {
    return this.code === 'invalid-request' || this.code === 'invalid-configuration' ? 2 : 1;
  }
}

export function isAppError(e: unknown, code?: AppErrorCode): e is AppError {
  return e instanceof AppError && (code === undefined || e.code === code);
}

/** The stable JSON body of every error answer of /api/v1 and the scan API. */
export interface ErrorBody {
  error: { code: AppErrorCode; message: string };
}

export function errorBody(code: AppErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}
