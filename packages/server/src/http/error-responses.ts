import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, isHttpError, type HttpErrorCode } from '../shared/http-error.ts';
import { SCAN_ERROR_PATH } from './paths.ts';

/**
 * The one place where errors become responses. JSON routes get `{ error: { code, message } }`
 * with a stable code; routes a phone opens in its browser (route config `browser: true`) get a
 * 303 to the generic scan-error page instead, which says nothing about why.
 */
export function installErrorResponses(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, code, message } = describe(error);
    if (status >= 500) {
      // The error's own message may name internals; it goes to the log, not to the client.
      request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
    }
    if (isBrowserRoute(request)) return reply.code(303).header('location', SCAN_ERROR_PATH).send();
    return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message));
  });

  app.setNotFoundHandler((_request, reply) => {
    return reply.code(404).type('application/json; charset=utf-8').send(errorBody('not-found', 'nothing here'));
  });
}

export function isBrowserRoute(request: FastifyRequest): boolean {
  const config = request.routeOptions.config as { browser?: boolean };
  return config.browser === true;
}

function describe(error: unknown): { status: number; code: HttpErrorCode; message: string } {
  if (isHttpError(error)) return { status: error.statusCode, code: error.code, message: error.message };
  const status = (error as Partial<FastifyError>).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's own client errors (body too large, bad JSON, wrong content type): keep the
    // status, give a fixed message rather than parser internals.
    if (status === 413) return { status, code: 'payload-too-large', message: 'request body too large' };
    if (status === 415) return { status, code: 'unsupported-media-type', message: 'send application/json' };
    if (status === 404) return { status, code: 'not-found', message: 'nothing here' };
    if (status === 405) return { status, code: 'method-not-allowed', message: 'method not allowed' };
    return { status: 400, code: 'invalid-request', message: validationMessage(error) ?? 'malformed request' };
  }
  return { status: 500, code: 'internal', message: 'internal error' };
}

/**
 * A route schema's refusal (the /api/v1 routes): which part and field, and the rule it broke
 * ("querystring/limit must be <= 1000"). The schema's own words, never the value sent.
 */
function validationMessage(error: unknown): string | undefined {
  const e = error as { validation?: { instancePath?: string; message?: string; params?: { missingProperty?: string; additionalProperty?: string } }[]; validationContext?: string };
  const first = e.validation?.[0];
  if (first === undefined || typeof first.message !== 'string') return undefined;
  const field = first.params?.missingProperty ?? first.params?.additionalProperty;
  const path = `${e.validationContext ?? 'request'}${first.instancePath ?? ''}${field === undefined ? '' : `/${field}`}`;
  return `${path}: ${first.message}`.slice(0, 200);
}
