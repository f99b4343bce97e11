import { accessSync, constants, existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { parseDatabaseUrl, tlsFiles, type DatabaseTarget, type PostgresTarget } from './database-url.js';
import { readEnvironment } from './environment.js';
import { jsonErrorOffset, positionOf } from './json-error-position.js';
import { firstIssue, profileSchema, type ProfileFile } from './profile-schema.js';
import { findProjectRoot } from './project-root.js';
import { readSmallFile, SmallFileError, type SmallFileProblem } from './read-small-file.js';
import { Secret } from './secret.js';
import type { ValueSource } from './sources.js';

export const DEFAULT_SQLITE_URL = 'sqlite:data/kit-db-test.sqlite';
export const DEFAULT_POOL_MAX = 10;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The configuration, validated once; nothing downstream re-checks it. */
export interface ResolvedConfig {
  root: string;
  profile: {
    /** "default" for the embedded SQLite default */
    name: string;
    /** the profile file, relative to root, when there is one */
    file: string | undefined;
    selectedBy: ValueSource;
  };
  target: DatabaseTarget;
  poolMax: number;
  connectTimeoutMs: number;
  sources: {
    url: ValueSource;
    password: ValueSource | undefined;
    poolMax: ValueSource;
    connectTimeoutMs: ValueSource;
  };
  /** Things that work but should be changed (e.g. a password kept in a profile). */
  warnings: string[];
}

export interface LoadConfigOptions {
  /** --profile NAME, which beats every other way of choosing. */
  profile?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** The folder holding config/ and data/; KDT_ROOT, then this checkout, by default. */
  root?: string;
}

interface Selected {
  name: string;
  file: string | undefined;
  selectedBy: ValueSource;
}

function availableProfiles(configDir: string): string {
  const names = existsSync(configDir)
    ? readdirSync(configDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort()
    : [];
  return names.length ? names.join(', ') : 'none';
}

function profileFile(root: string, name: string, chosenBy: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new ConfigError(`${chosenBy}: "${name}" is not a profile name (letters, digits, ".", "_", "-")`);
  }
  const file = join(root, 'config', `${name}.json`);
  if (!existsSync(file)) {
    throw new ConfigError(
      `${chosenBy}: profile "${name}" not found: no config/${name}.json (available: ${availableProfiles(join(root, 'config'))})`,
    );
  }
  return file;
}

/** --profile, else KDT_PROFILE, else config/live (a link to a profile, or a profile itself), else the default. */
function selectProfile(root: string, flag: string | undefined, envProfile: string | undefined): Selected {
  if (flag !== undefined) {
    return { name: flag, file: profileFile(root, flag, '--profile'), selectedBy: { kind: 'flag', name: '--profile' } };
  }
  if (envProfile !== undefined) {
    return { name: envProfile, file: profileFile(root, envProfile, 'KDT_PROFILE'), selectedBy: { kind: 'env', name: 'KDT_PROFILE' } };
  }
  const live = join(root, 'config', 'live');
  let stat;
  try {
    stat = lstatSync(live);
  } catch {
    return { name: 'default', file: undefined, selectedBy: { kind: 'default' } };
  }
  const selectedBy: ValueSource = { kind: 'file', file: 'config/live' };
  if (stat.isSymbolicLink()) {
    const target = resolve(join(root, 'config'), readlinkSync(live));
    if (!existsSync(target)) {
      throw new ConfigError(`config/live: links to ${relative(root, target)}, which does not exist; point it at a profile: ln -sfn postgres.json config/live`);
    }
    return { name: basename(target).replace(/\.json$/, ''), file: target, selectedBy };
  }
  return { name: 'live', file: live, selectedBy };
}

/** A file as messages name it: relative to the project when it is inside, else absolute. */
function shownPath(root: string, file: string): string {
  const inside = relative(root, file);
  return inside.startsWith('..') || isAbsolute(inside) ? file : inside;
}

/** A profile is a few hundred bytes; anything this large was not meant as one. */
const MAX_PROFILE_BYTES = 64 * 1024;
/** PostgreSQL takes a password message of at most 1000 bytes; room for a trailing newline and more. */
const MAX_PASSWORD_BYTES = 4096;

function unreadable(problem: SmallFileProblem, fix: string): string {
  switch (problem.kind) {
    case 'unreadable':
      return `cannot read it (${problem.code}); ${problem.code === 'EACCES' ? 'let the service user read it' : fix}`;
    case 'not-regular':
      return `it is ${problem.what}, not a regular file; ${fix}`;
    case 'too-large':
      return `it is larger than ${problem.maxBytes / 1024} KiB; ${fix}`;
  }
}

function readProfile(file: string, shown: string, fix: string): ProfileFile {
  let text: string;
  try {
    text = readSmallFile(file, MAX_PROFILE_BYTES).bytes.toString('utf8');
  } catch (error) {
    if (!(error instanceof SmallFileError)) throw error;
    throw new ConfigError(`${shown}: ${unreadable(error.problem, fix)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Never V8's message: it quotes the start of the file, which may be a password file linked by mistake.
    const { line, column } = positionOf(text, Math.max(0, jsonErrorOffset(text)));
    throw new ConfigError(`${shown}: not valid JSON at line ${line}, column ${column}; a profile is a JSON object such as {"url": "sqlite:data/kit-db-test.sqlite"}; ${fix}`);
  }
  const parsed = profileSchema.safeParse(data);
  if (!parsed.success) throw new ConfigError(`${shown}: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/**
 * The password in a file. An existing file's path is shown in messages; a value that names no
 * file is not, since it may be the password itself, put where its file's path belongs.
 */
function readPasswordFile(path: string, where: string, warnings: string[]): Secret {
  const fix = 'point it at a regular file holding only the password';
  let file: { bytes: Buffer; mode: number };
  try {
    file = readSmallFile(path, MAX_PASSWORD_BYTES);
  } catch (error) {
    if (!(error instanceof SmallFileError)) throw error;
    const { problem } = error;
    if (problem.kind === 'unreadable' && (problem.code === 'ENOENT' || problem.code === 'ENOTDIR')) {
      throw new ConfigError(`${where}: names no file (the value is not shown: it may be the password itself); set it to the path of a file holding the password`);
    }
    throw new ConfigError(`${where}: ${path}: ${unreadable(problem, fix)}`);
  }
  if ((file.mode & 0o004) !== 0) {
    warnings.push(`${where}: ${path} is readable by every user; chmod 600 it (or 640 with the service's group)`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
  } catch {
    throw new ConfigError(`${where}: ${path} is not UTF-8 text; ${fix}`);
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new ConfigError(`${where}: ${path} is empty; write the password into it`);
  if (password.includes('\0')) throw new ConfigError(`${where}: ${path} holds a NUL byte, which no PostgreSQL password can; ${fix}`);
  return new Secret(password);
}

/** The certificate files must be there and readable now: a TLS connection would fail later, and less clearly. */
function checkTlsFiles(target: PostgresTarget, where: string): void {
  for (const key of ['sslrootcert', 'sslcert', 'sslkey'] as const) {
    const path = target[key];
    if (path === undefined || path === 'system') continue;
    try {
      accessSync(path, constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(`${where}: ${key}: cannot read ${path} (${code}); give a readable file${key === 'sslrootcert' ? ' (the CA certificate that signed the server\'s), or system' : ''}`);
    }
  }
  if (target.sslmode === 'disable' && (target.sslrootcert || target.sslcert)) {
    throw new ConfigError(`${where}: sslrootcert/sslcert are set but sslmode is disable (the default): set sslmode=verify-full (or verify-ca, require)`);
  }
}

/**
 * Resolves the active configuration: the profile (flag, KDT_PROFILE, config/live, or the embedded
 * SQLite default), then the environment's overrides. Throws ConfigError with one line naming the
 * file or variable, the key, and what is wrong.
 */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  const rawEnv = options.env ?? process.env;
  const env = readEnvironment(rawEnv);
  const root = resolve(options.root ?? env.KDT_ROOT ?? findProjectRoot() ?? process.cwd());
  const selected = selectProfile(root, options.profile, env.KDT_PROFILE);
  const shownFile = selected.file ? shownPath(root, selected.file) : undefined;
  const profileFix =
    selected.selectedBy.kind === 'file' ? 'fix it, or point config/live at a profile: ln -sfn postgres.json config/live' : 'fix the file';
  const profile: Partial<ProfileFile> = selected.file ? readProfile(selected.file, shownFile!, profileFix) : {};
  const fileSource: ValueSource = shownFile ? { kind: 'file', file: shownFile } : { kind: 'default' };
  const warnings: string[] = [];

  let url: string;
  let urlSource: ValueSource;
  let target: DatabaseTarget;
  if (env.DATABASE_URL !== undefined) {
    url = env.DATABASE_URL;
    urlSource = { kind: 'env', name: 'DATABASE_URL' };
    target = parseDatabaseUrl(url, 'DATABASE_URL', root);
  } else {
    url = profile.url ?? DEFAULT_SQLITE_URL;
    urlSource = profile.url ? fileSource : { kind: 'default' };
    target = parseDatabaseUrl(url, `${shownFile}: url`, root);
    if (target.driver === 'postgresql' && target.password) {
      warnings.push(`${shownFile}: url holds a password; move it to a file readable only by the service and set DATABASE_PASSWORD_FILE`);
    }
  }

  if (target.driver === 'postgresql') {
    const fromProfile = { sslrootcert: profile.sslrootcert, sslcert: profile.sslcert, sslkey: profile.sslkey };
    for (const key of ['sslrootcert', 'sslcert', 'sslkey'] as const) {
      if (fromProfile[key] !== undefined && target[key] !== undefined) {
        throw new ConfigError(`${shownFile}: ${key}: also set in the URL (${urlSource.kind === 'env' ? 'DATABASE_URL' : 'url'}); keep one`);
      }
    }
    if (Object.values(fromProfile).some((v) => v !== undefined)) {
      Object.assign(target, tlsFiles({ sslrootcert: fromProfile.sslrootcert ?? target.sslrootcert, sslcert: fromProfile.sslcert ?? target.sslcert, sslkey: fromProfile.sslkey ?? target.sslkey }, root, (what) => {
        throw new ConfigError(`${shownFile}: ${what}`);
      }));
    }
    checkTlsFiles(target, urlSource.kind === 'env' ? 'DATABASE_URL' : `${shownFile}`);
  }

  let passwordSource: ValueSource | undefined;
  if (target.driver === 'postgresql') {
    if (target.password) passwordSource = urlSource;
    if (env.DATABASE_PASSWORD_FILE !== undefined) {
      target.password = readPasswordFile(env.DATABASE_PASSWORD_FILE, 'DATABASE_PASSWORD_FILE', warnings);
      passwordSource = { kind: 'env', name: 'DATABASE_PASSWORD_FILE' };
    } else if (profile.passwordFile !== undefined) {
      const path = resolve(root, profile.passwordFile);
      target.password = readPasswordFile(path, `${shownFile}: passwordFile`, warnings);
      passwordSource = fileSource;
    }
  } else if (env.DATABASE_PASSWORD_FILE !== undefined || profile.passwordFile !== undefined) {
    warnings.push('a password file is set but the database is SQLite, which has no password; it is ignored');
  }

  return {
    root,
    profile: { name: selected.name, file: shownFile, selectedBy: selected.selectedBy },
    target,
    poolMax: profile.pool?.max ?? DEFAULT_POOL_MAX,
    connectTimeoutMs: profile.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    sources: {
      url: urlSource,
      password: passwordSource,
      poolMax: profile.pool?.max !== undefined ? fileSource : { kind: 'default' },
      connectTimeoutMs: profile.connectTimeoutMs !== undefined ? fileSource : { kind: 'default' },
    },
    warnings,
  };
}
