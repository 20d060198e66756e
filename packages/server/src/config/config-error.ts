import { AppError } from '../common/app-error.ts';

/**
 * Configuration that cannot be used, as the one application error (code `invalid-configuration`,
 * exit code 2). The message lists every problem, each naming the flag and the environment
 * variable it can come from, so an operator fixes all of them in one go. Values of secret options
 * are never repeated in it.
 */
export function configError(problems: readonly string[]): AppError {
  return new AppError('invalid-configuration', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { details: problems });
}
