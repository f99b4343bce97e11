import { existsSync } from 'node:fs';
import { describeConfig, ENVIRONMENT_VARIABLES, maskDatabaseUrl } from '@kit-db-test/schema';
import { resolveConfig } from '../cli/resolve-config.js';
import { columns, type Output } from '../cli/output.js';

export interface ConfigOptions {
  profile?: string;
  json?: boolean;
}

/**
 * A variable's value as it may be printed: a DATABASE_URL may carry a password; a password file's
 * path is no secret, but a value naming no file may be the password itself, set there by mistake.
 */
function shownValue(name: string, raw: string): string {
  if (name === 'DATABASE_URL') return maskDatabaseUrl(raw);
  if (name === 'DATABASE_PASSWORD_FILE' && !existsSync(raw)) return '(names no file; not shown)';
  return raw;
}

/** `pnpm admin config`: the resolved configuration, masked, with where each value came from. */
export async function configCommand(options: ConfigOptions, io: Output): Promise<void> {
  const description = describeConfig(resolveConfig(options.profile));
  const environment = Object.entries(ENVIRONMENT_VARIABLES).map(([name, meaning]) => {
    const raw = process.env[name];
    const value = raw === undefined || raw === '' ? null : shownValue(name, raw);
    return { name, set: value !== null, value, meaning };
  });

  if (options.json) {
    io.out(JSON.stringify({ ...description, environment }, null, 2));
    return;
  }
  const { bold, dim, yellow } = io.colors;
  const profileFrom = description.profile.file ? `${description.profile.file}, ` : '';
  io.out(bold('kit-db-test configuration'));
  io.out(
    columns([
      ['profile', `${description.profile.name} ${dim(`(${profileFrom}chosen by ${description.profile.selectedBy})`)}`],
      ['driver', description.driver],
      ['target', description.target],
      ['root', description.root],
    ]).join('\n'),
  );
  io.out();
  io.out(bold('settings'));
  io.out(columns(description.settings.map((s) => [s.key, `${s.value}  ${dim(`← ${s.source}`)}`])).join('\n'));
  if (description.warnings.length) {
    io.out();
    for (const warning of description.warnings) io.out(yellow(`! ${warning}`));
  }
  io.out();
  io.out(bold('environment variables kit-db-test reads'));
  io.out(columns(environment.map((e) => [e.name, e.set ? `= ${e.value}` : dim(`(unset) ${e.meaning}`)])).join('\n'));
}
