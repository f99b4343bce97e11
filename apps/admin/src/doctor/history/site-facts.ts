import { describeConfig, type ResolvedConfig } from '@kit-db-test/schema';
import type { Stats } from 'node:fs';
import type { DoctorContext } from '../context.js';
import { localFiles, type SystemFiles } from '../system-files.js';
import type { CheckResult } from '../types.js';
import type { Facts } from './run-record.js';
import { maskEnv, maskValue } from './secret-mask.js';

// The variables kit-db-test and its site read; the rest of an environment is not its business.
const SITE_VARIABLE = /^(DATABASE_\w+|KDT_\w+|PORT|HOST|SOCKET_PATH|ORIGIN|PROTOCOL_HEADER|HOST_HEADER|PORT_HEADER|ADDRESS_HEADER|XFF_DEPTH|BASE_PATH|BODY_SIZE_LIMIT|SHUTDOWN_TIMEOUT|WORKERS|NODE_ENV|CREDENTIALS_DIRECTORY)$/;

/** A secret file as the history keeps it: that it is there, its mode, owner and time, never its content. */
export function describeSecretFile(stat: Stats | undefined): string {
  if (!stat) return 'absent';
  return `present, mode 0${(stat.mode & 0o777).toString(8)}, owner ${stat.uid}:${stat.gid}, changed at ${stat.mtime.toISOString()}`;
}

function configFacts(config: ResolvedConfig): Facts {
  const described = describeConfig(config);
  const facts: Facts = { 'config.profile': described.profile.name, 'config.target': maskValue(described.target) };
  for (const s of described.settings) if (s.key === 'password') facts['config.password'] = `${s.value === '(none)' ? 'none' : 'set'}, from ${s.source}`;
  return facts;
}

/** The result line of a check, as an observation (what the site answered). */
function answered(results: CheckResult[], id: string): string | null {
  const r = results.find((c) => c.id === id);
  return r && r.status !== 'skip' ? `${r.status}: ${maskValue(r.summary)}` : null;
}

/** The configuration, the site's unit and environment (secrets masked), its secret files, what it answered. */
export function siteFacts(context: DoctorContext, results: CheckResult[]): Facts {
  const { site } = context;
  const facts: Facts = { ...configFacts(context.config) };
  facts['site.unit'] = site.unitPath ? `${site.unitPath}${site.unit?.user ? `, User=${site.unit.user}` : ''}` : 'none';
  facts['site.env.source'] = site.envSource;
  for (const [key, value] of Object.entries(site.env).sort(([a], [b]) => a.localeCompare(b))) {
    // KDT_STATE_DIR is the doctor's own, not the site's.
    if (SITE_VARIABLE.test(key) && key !== 'KDT_STATE_DIR') facts[`site.env.${key}`] = maskEnv(key, value);
  }
  const envFiles = new Set<string>(site.unit?.environmentFiles ?? []);
  if (context.options.envFile) envFiles.add(context.options.envFile);
  for (const file of envFiles) facts[`secret.env_file.${file}`] = describeSecretFile(context.files.stat(file));
  // The doctor's own DATABASE_PASSWORD_FILE is on this machine; the site's is the server's.
  const own = process.env.DATABASE_PASSWORD_FILE;
  const theirs = site.env.DATABASE_PASSWORD_FILE;
  const passwordFile: [string, SystemFiles] | null = theirs && theirs !== own ? [theirs, context.files] : own ? [own, localFiles] : null;
  if (passwordFile) facts['secret.password_file'] = `${passwordFile[0]}: ${describeSecretFile(passwordFile[1].stat(passwordFile[0]))}`;
  facts['site.answered'] = answered(results, 'service.health');
  facts['site.public'] = answered(results, 'service.public');
  return facts;
}
