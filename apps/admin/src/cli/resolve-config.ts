import { ConfigError, loadConfig, type ResolvedConfig } from '@kit-db-test/schema';
import { CliError } from './cli-error.js';

/** The configuration for a command; a bad profile or variable becomes a one-line CliError. */
export function resolveConfig(profile: string | undefined): ResolvedConfig {
  try {
    return loadConfig({ profile });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`configuration: ${error.message}`);
    throw error;
  }
}
