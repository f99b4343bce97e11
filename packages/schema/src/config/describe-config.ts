import { displayTarget } from './database-url.js';
import type { ResolvedConfig } from './load-config.js';
import { MASK } from './secret.js';
import { sourceText } from './sources.js';

export interface DescribedSetting {
  key: string;
  value: string;
  source: string;
}

/** The resolved configuration as plain data an operator may see: the password is always masked. */
export interface ConfigDescription {
  root: string;
  profile: { name: string; file: string | null; selectedBy: string };
  driver: 'postgresql' | 'sqlite';
  target: string;
  settings: DescribedSetting[];
  warnings: string[];
}

/** What the configuration resolved to and where each value came from, safe to print or serve. */
export function describeConfig(config: ResolvedConfig): ConfigDescription {
  const { target, sources } = config;
  const url = sourceText(sources.url);
  const settings: DescribedSetting[] = [];
  if (target.driver === 'sqlite') {
    settings.push({ key: 'path', value: target.path, source: url });
  } else {
    settings.push(
      { key: target.socket ? 'socket directory' : 'host', value: target.host, source: url },
      { key: 'port', value: String(target.port), source: url },
      { key: 'user', value: target.user, source: url },
      { key: 'database', value: target.database, source: url },
      { key: 'password', value: target.password ? MASK : '(none)', source: sources.password ? sourceText(sources.password) : '-' },
      { key: 'sslmode', value: target.sslmode, source: url },
      ...(['sslrootcert', 'sslcert', 'sslkey'] as const).flatMap((key) => (target[key] ? [{ key, value: target[key], source: url }] : [])),
      { key: 'pool.max', value: String(config.poolMax), source: sourceText(sources.poolMax) },
    );
  }
  settings.push({ key: 'connectTimeoutMs', value: String(config.connectTimeoutMs), source: sourceText(sources.connectTimeoutMs) });
  return {
    root: config.root,
    profile: { name: config.profile.name, file: config.profile.file ?? null, selectedBy: sourceText(config.profile.selectedBy) },
    driver: target.driver,
    target: displayTarget(target),
    settings,
    warnings: [...config.warnings],
  };
}
