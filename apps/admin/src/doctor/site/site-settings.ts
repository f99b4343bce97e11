import { readUtf8, type SystemFiles } from '../system-files.js';
import { parseEnvironmentFile } from './environment-file.js';
import { parseUnitFile, type UnitFile } from './unit-file.js';

/** The systemd unit the ops templates install for the site. */
export const SITE_UNIT = 'kit-db-test.service';
export const UNIT_PATHS = ['/etc/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'].map((d) => `${d}/${SITE_UNIT}`);

export type SiteListen = { kind: 'tcp'; host: string; port: number } | { kind: 'socket'; path: string };

/** How the site is deployed, as far as the doctor can tell: where it listens, its base path and origin policy. */
export interface SiteSettings {
  listen: SiteListen;
  /** the build's paths.base ('' for none) */
  basePath: string;
  /** where basePath came from: the build, BASE_PATH, or nothing found */
  basePathSource: string;
  origin: string | null;
  protocolHeader: string | null;
  hostHeader: string | null;
  /** the URL a browser uses, through httpd (--public-url) */
  publicUrl: string | null;
  /** the unit file found (server path) and what it says */
  unitPath: string | null;
  unit: UnitFile | null;
  /** the site's environment: the unit's EnvironmentFile(s) and Environment=, else the doctor's own */
  env: Record<string, string>;
  /** where env came from, for the report */
  envSource: string;
}

export interface SiteSettingsInput {
  files: SystemFiles;
  /** the project root (where apps/web/build is) */
  projectRoot: string;
  /** the doctor's own environment, used when no unit says otherwise */
  processEnv: NodeJS.ProcessEnv;
  /** --env-file */
  envFile?: string | undefined;
  /** --public-url */
  publicUrl?: string | undefined;
}

/** The site's environment as its service gets it, and where that came from. */
export interface SiteEnvironment {
  unitPath: string | null;
  unit: UnitFile | null;
  env: Record<string, string>;
  envSource: string;
  /** the environment files read */
  files: string[];
  /** the ones that exist but could not be read (EACCES when not root) */
  unreadable: { file: string; error: string }[];
}

/**
 * The unit file's EnvironmentFile= (or --env-file) and Environment=, as systemd gives them to the
 * service; the doctor's own environment when there is no unit and no file.
 */
export function siteEnvironment(input: Pick<SiteSettingsInput, 'files' | 'processEnv' | 'envFile'>): SiteEnvironment {
  const { files } = input;
  const unitPath = UNIT_PATHS.find((p) => files.exists(p)) ?? null;
  const unitRead = unitPath ? files.read(unitPath) : null;
  const unit = unitRead && 'text' in unitRead ? parseUnitFile(unitRead.text) : null;

  const envFiles = input.envFile ? [input.envFile] : (unit?.environmentFiles ?? []);
  let env: Record<string, string> = {};
  const sources: string[] = [];
  const unreadable: { file: string; error: string }[] = [];
  for (const file of envFiles) {
    const read = files.read(file);
    if ('text' in read) {
      env = { ...env, ...parseEnvironmentFile(read.text) };
      sources.push(file);
    } else if (read.error !== 'ENOENT') unreadable.push({ file, error: read.error });
  }
  const read = [...sources];
  if (unit) env = { ...env, ...unit.environment };
  if (sources.length === 0 && !unit) {
    env = Object.fromEntries(Object.entries(input.processEnv).filter((e): e is [string, string] => e[1] !== undefined));
    sources.push('the doctor\'s own environment');
  } else if (unit) sources.push(`${unitPath}`);
  return { unitPath, unit, env, envSource: sources.join(', '), files: read, unreadable };
}

/** Reads `export const base = "/kit-db-test";` from adapter-node's build output without running it. */
export function buildBasePath(adapterNodeJs: string): string | null {
  const m = /export const base = "([^"]*)"/.exec(adapterNodeJs);
  return m ? m[1]! : null;
}

/**
 * Resolves the site's settings the way the running service sees them: the unit file's
 * EnvironmentFile= and Environment= (or --env-file), else the doctor's own environment.
 */
export function siteSettings(input: SiteSettingsInput & { environment?: SiteEnvironment }): SiteSettings {
  const { unitPath, unit, env, envSource } = input.environment ?? siteEnvironment(input);

  const listen: SiteListen = env.SOCKET_PATH
    ? { kind: 'socket', path: env.SOCKET_PATH }
    : { kind: 'tcp', host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? 3000) };

  // The base path is fixed at build time: the build on disk is what the site serves. It is in the
  // checkout the doctor runs from, not a system file: read it where it is.
  const built = readUtf8(`${input.projectRoot}/apps/web/${env.KDT_BUILD_DIR ?? 'build'}/adapter-node.js`);
  const fromBuild = 'text' in built ? buildBasePath(built.text) : null;
  const basePath = fromBuild ?? (env.BASE_PATH ?? '').replace(/\/+$/, '');
  const basePathSource = fromBuild !== null ? `the site build (apps/web/${env.KDT_BUILD_DIR ?? 'build'})` : env.BASE_PATH ? 'BASE_PATH' : 'no build found';

  return {
    listen,
    basePath,
    basePathSource,
    origin: env.ORIGIN ?? null,
    protocolHeader: env.PROTOCOL_HEADER?.toLowerCase() ?? null,
    hostHeader: env.HOST_HEADER?.toLowerCase() ?? null,
    publicUrl: input.publicUrl ?? null,
    unitPath,
    unit,
    env,
    envSource,
  };
}
