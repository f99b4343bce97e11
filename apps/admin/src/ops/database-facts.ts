import { join } from 'node:path';
import { displayTarget, type ResolvedConfig } from '@kit-db-test/schema';
import { checkConfigValues } from './config-values.js';

/** How the service chooses its profile: KDT_PROFILE=name, or nothing (config/live or the embedded default decide). */
export type ProfileChoice = { kind: 'named'; name: string; file: string } | { kind: 'live-file' } | { kind: 'default' };

interface Common {
  profile: ProfileChoice;
  /** DATABASE_URL for the service, without any password; null when the profile's url applies */
  databaseUrl: string | null;
}

export interface SqliteFacts extends Common {
  driver: 'sqlite';
  /** the database file, where the installed site finds it */
  path: string;
}

export interface PostgresFacts extends Common {
  driver: 'postgresql';
  role: string;
  database: string;
  /** the target as a URL, never with a password */
  target: string;
  socket: boolean;
  host: string;
  port: number;
  /** the server runs on this machine (unix socket, or a loopback address) */
  local: boolean;
  /** the configuration holds a password: it is not copied, but the operator is told where it goes */
  hasPassword: boolean;
}

export type DatabaseFacts = SqliteFacts | PostgresFacts;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function profileChoice(config: ResolvedConfig): ProfileChoice {
  const { name, file } = config.profile;
  if (file === undefined) return { kind: 'default' };
  // KDT_PROFILE=name only finds config/name.json; a config/live file, or a link to a profile
  // outside config/, is found by config/live itself.
  // (file is relative to the root when the profile is inside it)
  if (file === `config/${name}.json` || file === join(config.root, 'config', `${name}.json`)) return { kind: 'named', name, file: `config/${name}.json` };
  return { kind: 'live-file' };
}

/** A path inside the checkout the configuration was read from, moved to the same place under installDir. */
function rebase(path: string, checkoutRoot: string, installDir: string): string {
  return path.startsWith(`${checkoutRoot}/`) ? `${installDir}${path.slice(checkoutRoot.length)}` : path;
}

/**
 * A socket folder as the value of the URL's host parameter: the loader reads it back with
 * URLSearchParams, which takes "+" for a space and "&" as the next parameter.
 */
function queryValue(folder: string): string {
  return encodeURIComponent(folder).replace(/%2F/g, '/');
}

/**
 * What the ops files need to know about the database, from the resolved configuration. No
 * password leaves here: the URL is rebuilt without it, and only its presence is noted. Throws
 * UsageError for a value the rendered files cannot carry (config-values.ts).
 */
export function databaseFacts(config: ResolvedConfig, installDir: string): DatabaseFacts {
  checkConfigValues(config);
  const profile = profileChoice(config);
  const fromEnvironment = config.sources.url.kind === 'env';
  const target = config.target;
  if (target.driver === 'sqlite') {
    const path = rebase(target.path, config.root, installDir);
    return { driver: 'sqlite', path, profile, databaseUrl: fromEnvironment ? `sqlite:${path}` : null };
  }
  const url = displayTarget({ ...target, password: undefined, host: target.socket ? queryValue(target.host) : target.host });
  return {
    driver: 'postgresql',
    role: target.user,
    database: target.database,
    target: url,
    socket: target.socket,
    host: target.host,
    port: target.port,
    local: target.socket || LOOPBACK.has(target.host),
    hasPassword: target.password !== undefined,
    profile,
    databaseUrl: fromEnvironment ? url : null,
  };
}
