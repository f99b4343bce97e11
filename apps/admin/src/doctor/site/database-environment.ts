import type { SiteEnvironment } from './site-settings.js';

/** The variables that choose the database (packages/schema's allow-list): the site's and the doctor's must agree. */
export const DATABASE_VARIABLES = ['KDT_PROFILE', 'KDT_ROOT', 'DATABASE_URL', 'DATABASE_PASSWORD_FILE'] as const;

export interface DatabaseEnvironment {
  /** what the configuration is loaded from */
  env: NodeJS.ProcessEnv;
  /** for config.valid's evidence: where the database variables came from, or why not from the site's file */
  notes: string[];
}

/**
 * The environment the doctor loads the configuration from: its own, unless that sets none of the
 * database variables; then those of the site's environment file (the unit's EnvironmentFile=),
 * so that the doctor checks the database the service uses without `set -a && . FILE` first.
 */
export function databaseEnvironment(processEnv: NodeJS.ProcessEnv, site: SiteEnvironment): DatabaseEnvironment {
  const own = DATABASE_VARIABLES.filter((name) => processEnv[name] !== undefined && processEnv[name] !== '');
  if (own.length > 0) return { env: processEnv, notes: site.files.length ? [`database settings from the doctor's own environment (${own.join(', ')}), not from ${site.files.join(', ')}`] : [] };
  const unreadable = site.unreadable.map((u) => `cannot read ${u.file} (${u.error}): the database settings are the doctor's defaults, not the site's; run the doctor as root`);
  if (site.files.length === 0) return { env: processEnv, notes: unreadable };
  const taken = Object.fromEntries(DATABASE_VARIABLES.filter((name) => site.env[name] !== undefined).map((name) => [name, site.env[name]!]));
  const names = Object.keys(taken);
  if (names.length === 0) return { env: processEnv, notes: unreadable };
  return { env: { ...processEnv, ...taken }, notes: [`database settings from the site's environment file ${site.files.join(', ')}: ${names.join(', ')}`, ...unreadable] };
}
