/**
 * A configuration problem: one line that names where (file and key, or variable) and what is
 * wrong, plus the fix where there is one. Never carries a secret.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
