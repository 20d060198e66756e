import { createQrlogClient, type QrlogClient } from '@qrlog/api-client';

/** An answer of the API that is not a success, with the service's own message for people. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';

/** The session's CSRF token (from /auth/session): sent with every request, as the service asks of its own pages. */
export function useCsrfToken(token: string): void {
  csrfToken = token;
}

/**
 * The one client of the app: the generated, typed client of the service's public /api/v1, on this
 * origin, with the session cookie (same origin) and the CSRF header. The app can do what a
 * customer's own system can do through the API, and nothing more.
 */
export const api: QrlogClient = createQrlogClient(location.origin, {
  fetch: (request) => {
    if (csrfToken !== '') request.headers.set('x-csrf-token', csrfToken);
    return fetch(request);
  },
});

/** The data of an answer, or an ApiProblem carrying the service's message (never raw JSON on screen). */
export function dataOf<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data !== undefined && answer.response.ok) return answer.data;
  const body = answer.error as { error?: { code?: string; message?: string } } | undefined;
  throw new ApiProblem(answer.response.status, body?.error?.code ?? 'error', body?.error?.message ?? answer.response.statusText);
}
