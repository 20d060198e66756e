/**
 * Configuration that cannot be used. The message lists every problem, each naming the flag and
 * the environment variable it can come from, so an operator fixes all of them in one go.
 * Values of secret options are never repeated in it.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError;
}
