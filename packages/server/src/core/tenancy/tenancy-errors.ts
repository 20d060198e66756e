/**
 * Why a tenancy act did not happen. `not-found` also covers objects of another organization
 * (the caller cannot tell them apart); `conflict` says the act contradicts what is stored;
 * `invalid` is bad input. Messages are for people and never name another organization.
 */
export class TenancyError extends Error {
  override readonly name = 'TenancyError';
  constructor(
    readonly code: 'not-found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

export function isTenancyError(e: unknown): e is TenancyError {
  return e instanceof TenancyError;
}
