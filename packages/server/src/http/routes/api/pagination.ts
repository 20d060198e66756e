import { z } from 'zod';
import { AppError } from '../../../common/app-error.ts';
import { holdsInvalidText } from '../../../common/valid-text.ts';

/**
 * Opaque cursors: the position after the last item of a page (a keyset), as base64url JSON.
 * They carry no access: every page is filtered again by what the asker may see.
 */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string | undefined): z.output<S> | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  // Decoded text goes into a query: NUL or a lone surrogate is no position of any listing.
  if (!parsed.success || holdsInvalidText(parsed.data)) throw new AppError('invalid-request', 'cursor: not a cursor of this listing');
  return parsed.data;
}

/**
 * One page from a query asked for `limit + 1` items: the extra one only says there is more,
 * and the cursor is the position of the last item shown.
 */
export function toPage<T>(rows: T[], limit: number, position: (last: T) => unknown): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: last === undefined ? null : encodeCursor(position(last)) };
}
