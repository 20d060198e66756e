import { isLinkError } from '@qrlog/link';
import { isQrError } from '@qrlog/qr';
import { CliError } from './cli-error.ts';

/**
 * What the person at the terminal sees for an error that ended a command, and the exit code.
 * Errors of the link and QR codecs and of input schemas come from what the user gave (a key, a
 * link, an option, a state file): one line, exit 1. Anything else is a bug in qrlog, and only
 * then is the stack trace worth printing.
 */
export function errorReport(e: unknown): { text: string; exitCode: number } {
  if (e instanceof CliError) return { text: e.message, exitCode: e.exitCode };
  if (isLinkError(e) || isQrError(e)) return { text: `${e.message} (${e.code})`, exitCode: 1 };
  if (isZodError(e)) {
    const issue = e.issues[0];
    return { text: `invalid input${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'does not match'}`, exitCode: 1 };
  }
  return { text: `unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, exitCode: 1 };
}

interface ZodLikeError {
  issues: { path: PropertyKey[]; message: string }[];
}

// Recognised by shape: the CLI does not depend on zod itself, the packages it calls do.
function isZodError(e: unknown): e is ZodLikeError {
  return e instanceof Error && e.name === 'ZodError' && Array.isArray((e as Partial<ZodLikeError>).issues);
}
