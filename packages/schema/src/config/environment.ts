import { ConfigError } from './config-error.js';

/**
 * Every environment variable kit-db-test reads, with what it does. A server reads these from
 * its environment file (systemd `EnvironmentFile=`); `pnpm admin config` lists them.
 */
export const ENVIRONMENT_VARIABLES = {
  KDT_PROFILE: 'name of the profile in config/ to use (overridden by --profile)',
  KDT_ROOT: 'project folder holding config/ and data/ (default: the folder of this checkout)',
  KDT_DETAILS:
    "who sees the site's database details (server version, database, user, socket, profile, files) and the server's own messages: local (the default: this machine's clients), all, none, or local and/or networks such as 10.0.0.0/8; everyone else sees verdicts and timings",
  KDT_BUILD_DIR: 'the site build to serve, relative to apps/web (default: build); the tests use it for their sub-path build',
  DATABASE_URL: "database URL; overrides the profile's url",
  DATABASE_PASSWORD_FILE: 'file whose content is the database password (e.g. a systemd credential); overrides any password in the URL',
} as const;

export type KnownVariable = keyof typeof ENVIRONMENT_VARIABLES;
export type Environment = Partial<Record<KnownVariable, string>>;

/**
 * Picks the variables kit-db-test knows out of `env`. A variable with our KDT_ prefix that is
 * not known is an error (a misspelt KDT_PROFLE would otherwise silently select the default).
 * Empty values count as unset, as a blank line in an environment file would give.
 */
export function readEnvironment(env: NodeJS.ProcessEnv): Environment {
  for (const name of Object.keys(env)) {
    if (name.startsWith('KDT_') && !(name in ENVIRONMENT_VARIABLES)) {
      const known = Object.keys(ENVIRONMENT_VARIABLES).filter((k) => k.startsWith('KDT_'));
      throw new ConfigError(`${name}: unknown environment variable (known: ${known.join(', ')}); unset or rename it`);
    }
  }
  const picked: Environment = {};
  for (const name of Object.keys(ENVIRONMENT_VARIABLES) as KnownVariable[]) {
    const value = env[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  return picked;
}
