import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, isAppError, type AppErrorCode } from '../common/app-error.ts';
import type { ErrorStyle } from '../common/error-style.ts';
import { htmlPage, escapeHtml } from '../common/html-page.ts';
import { SCAN_ERROR_PATH } from './paths.ts';

/**
 * The one place where errors become responses, by the route's declared error style: JSON routes
 * get `{ error: { code, message } }` with a stable code; pages people read get an HTML page;
 * routes a phone opens from a QR code get a 303 to the generic scan-error page, which says
 * nothing about why. Anything that is not an AppError or one of Fastify's own client errors is a
 * bug: logged with its stack, answered as `internal` without details.
 */
export function installErrorResponses(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, code, message } = describe(error);
    if (status >= 500) {
      // The error's own message may name internals; it goes to the log, not to the client.
      request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
    }
    const style: ErrorStyle = request.routeOptions.config.errors ?? 'json';
    if (style === 'scan') return reply.code(303).header('location', SCAN_ERROR_PATH).send();
    if (style === 'page') return sendErrorPage(reply, status);
    if (style === 'oauth') {
      return reply.code(status).type('application/json; charset=utf-8').header('cache-control', 'no-store').send({ error: oauthCode(error, code), error_description: message });
    }
    return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message));
  });

  app.setNotFoundHandler((_request, reply) => {
    return reply.code(404).type('application/json; charset=utf-8').send(errorBody('not-found', 'nothing here'));
  });
}

/** RFC 6749 §5.2's error words: the AppError's reason when it names one, else by its code. */
function oauthCode(error: unknown, code: AppErrorCode): string {
  if (isAppError(error) && error.reason !== undefined && OAUTH_ERRORS.has(error.reason)) return error.reason;
  if (code === 'invalid-request' || code === 'payload-too-large' || code === 'unsupported-media-type') return 'invalid_request';
  if (code === 'unauthorized') return 'invalid_client';
  if (code === 'rate-limited') return 'temporarily_unavailable';
  return 'server_error';
}
const OAUTH_ERRORS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']);

function sendErrorPage(reply: FastifyReply, status: number): FastifyReply {
  const text = status >= 500 ? 'Something went wrong on our side. Try again in a moment.' : 'The request was not understood. Go back and try again.';
  const page = htmlPage('Something went wrong', `<h1>Something went wrong</h1>\n<p>${escapeHtml(text)}</p>`);
  return reply.code(status).type('text/html; charset=utf-8').header('content-security-policy', page.contentSecurityPolicy).send(page.html);
}

function describe(error: unknown): { status: number; code: AppErrorCode; message: string } {
  if (isAppError(error)) {
    // A configuration problem met while serving is the operator's to fix, not the caller's.
    if (error.code === 'invalid-configuration') return { status: 500, code: 'internal', message: 'internal error' };
    return { status: error.statusCode, code: error.code, message: error.message };
  }
  const status = (error as Partial<FastifyError>).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's own client errors (body too large, bad JSON, wrong content type): keep the
    // status, give a fixed message rather than parser internals.
    if (status === 413) return { status, code: 'payload-too-large', message: 'request body too large' };
    if (status === 415) return { status, code: 'unsupported-media-type', message: 'send application/json' };
    if (status === 404) return { status, code: 'not-found', message: 'nothing here' };
    if (status === 405) return { status, code: 'method-not-allowed', message: 'method not allowed' };
    if (status === 429) return { status, code: 'rate-limited', message: 'too many requests' };
    return { status: 400, code: 'invalid-request', message: validationMessage(error) ?? 'malformed request' };
  }
  return { status: 500, code: 'internal', message: 'internal error' };
}

/**
 * A route schema's refusal (the /api/v1 routes' zod schemas): which part and field, and the
 * rule it broke ("querystring/limit: must be <= 1000"). Worded here from the issue's code and
 * limits, never from the value sent.
 */
function validationMessage(error: unknown): string | undefined {
  const e = error as { validation?: { keyword?: string; instancePath?: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  const first = e.validation?.[0];
  if (first === undefined) return undefined;
  const params = first.params ?? {};
  // An unknown field is reported on its object; name the field itself.
  const keys = params.keys;
  const field = first.keyword === 'unrecognized_keys' && Array.isArray(keys) && typeof keys[0] === 'string' ? `/${keys[0]}` : '';
  const path = `${e.validationContext ?? 'request'}${first.instancePath === '/' ? '' : (first.instancePath ?? '')}${field}`;
  return `${path}: ${ruleOf(first.keyword, params) ?? first.message ?? 'not valid'}`.slice(0, 200);
}

/** A zod issue's rule in a few words; undefined for a refinement of ours, whose message says it. */
function ruleOf(keyword: string | undefined, params: Record<string, unknown>): string | undefined {
  const limit = String(params.maximum ?? params.minimum);
  const what = params.origin === 'string' ? ' characters' : params.origin === 'array' || params.origin === 'set' ? ' items' : '';
  switch (keyword) {
    case 'too_big':
      return what === '' ? `must be ${params.inclusive === false ? '<' : '<='} ${limit}` : `must have at most ${limit}${what}`;
    case 'too_small':
      return what === '' ? `must be ${params.inclusive === false ? '>' : '>='} ${limit}` : `must have at least ${limit}${what}`;
    case 'invalid_type':
      return `must be ${String(params.expected)}`;
    case 'invalid_value':
      return Array.isArray(params.values) ? `must be one of ${params.values.map((v) => JSON.stringify(v)).join(', ')}` : 'not an allowed value';
    case 'invalid_format':
      return `must be ${params.format === 'regex' ? 'in the expected format' : `a ${String(params.format)}`}`;
    case 'unrecognized_keys':
      return 'unknown field';
    case 'invalid_union':
    case 'not_multiple_of':
      return 'not valid';
    default:
      return undefined;
  }
}
