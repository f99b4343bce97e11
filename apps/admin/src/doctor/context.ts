import type { ResolvedConfig } from '@kit-db-test/schema';
import type pg from 'pg';
import type { CommandRunner } from './command-runner.js';
import type { LoginAttempt } from './postgres/login.js';
import type { ServerPlace } from './postgres/server-place.js';
import type { SiteSettings } from './site/site-settings.js';
import type { SystemFiles } from './system-files.js';

export interface DoctorOptions {
  profile?: string;
  /** pg_hba.conf to read instead of looking for it */
  hbaFile?: string;
  /** the PostgreSQL server log to read for the reason of a refused login */
  serverLog?: string;
  /** read system files under this folder instead of / */
  root?: string;
  /** an httpd configuration on this machine to check instead of the system's (e.g. a private instance) */
  httpdConfig?: string;
  /** the site's EnvironmentFile (default: the one its systemd unit names) */
  envFile?: string;
  /** the URL a browser uses to reach the site through httpd, e.g. https://example.org/kit-db-test/ */
  publicUrl?: string;
  /** the OS account that runs the site (SQLite permission checks); default: whoever runs the doctor */
  serviceUser?: string;
  /** run only these checks (ids or groups, comma-separated) and the checks they need */
  only?: string;
  json?: boolean;
  verbose?: boolean;
}

/** What the checks share: the options, the configuration, and what earlier checks found out. */
export interface DoctorContext {
  options: DoctorOptions;
  files: SystemFiles;
  /** every network step gives up after this long */
  timeoutMs: number;
  config: ResolvedConfig;
  /** runs programs (getenforce, httpd -M, systemctl …); tests replace it with recorded outputs */
  commands: CommandRunner;
  /** how the site is deployed: where it listens, its base path, its origin policy */
  site: SiteSettings;
  /** PostgreSQL: whether the server runs on this machine (set by the reachability check) */
  serverPlace?: ServerPlace;
  /** where the database settings came from when not (only) from the doctor's own environment */
  configNotes?: string[];
  /** PostgreSQL: the client address a TCP connection came from (for matching pg_hba.conf host lines) */
  clientAddress?: string | undefined;
  /** PostgreSQL: each server log's size before the doctor logged in (its own attempt is what follows) */
  logMarks?: Map<string, number>;
  /** PostgreSQL: the result of logging in with the configured credentials */
  login?: LoginAttempt;
  /** PostgreSQL: an open session as the app's role, once the login worked */
  session?: pg.Client;
  /** SQLite: the file's journal mode */
  journalMode?: string | undefined;
}
