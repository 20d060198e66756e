import type { z } from 'zod';
import { AppError } from '../shared/app-error.ts';

/**
 * Validates a request body where it enters. The message names the fields that are wrong and
 * how, never their values (a body may carry links).
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`);
  throw new AppError('invalid-request', first.join('; '));
}
