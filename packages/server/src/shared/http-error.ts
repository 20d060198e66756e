/**
 * The one error type of the HTTP layer. Routes throw it; `error-responses.ts` turns it (and
 * everything else) into a response. `code` is stable and machine-readable; `message` is for
 * people and must never carry secrets, link payloads or why a link was refused.
 */
export type HttpErrorCode =
  | 'invalid-request'
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
  | 'internal';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isHttpError(e: unknown): e is HttpError {
  return e instanceof HttpError;
}

/** The stable JSON body of every error answer. */
export interface ErrorBody {
  error: { code: HttpErrorCode; message: string };
}

export function errorBody(code: HttpErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}
