import { type ResolvedConfig } from '@kit-db-test/schema';
import { UsageError } from '../cli/cli-error.js';
import { controlCharacter } from './control-characters.js';

// A host name or IPv4 address, or an IPv6 address with an optional zone.
const HOST = /^[A-Za-z0-9_.-]+$|^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?$/;

/** Where the database URL came from, as the configuration's own messages name it. */
function urlSource(config: ResolvedConfig): string {
  const source = config.sources.url;
  switch (source.kind) {
    case 'env':
      return source.name;
    case 'file':
      return `${source.file}: url`;
    default:
      return 'the embedded default url';
  }
}

/**
 * Refuses a value of the configuration that the rendered files cannot carry: a SQLite path or a
 * socket folder with a control character, a host that is not a host name or an address. Throws
 * UsageError naming the source and the key; the value itself is never shown, since a mistyped URL
 * can put part of its password where the host should be.
 */
export function checkConfigValues(config: ResolvedConfig): void {
  const source = urlSource(config);
  const refuse = (key: string, what: string): never => {
    throw new UsageError(`${source}: ${key} ${what}; ops render writes it into the unit, the environment file and shell commands, one value per line: fix the URL`);
  };
  const target = config.target;
  if (target.driver === 'sqlite') {
    const control = controlCharacter(target.path);
    if (control) refuse('the SQLite path', `contains ${control}`);
    return;
  }
  if (target.socket) {
    const control = controlCharacter(target.host);
    if (control) refuse('host (the socket folder)', `contains ${control}`);
    return;
  }
  if (!HOST.test(target.host)) {
    const control = controlCharacter(target.host);
    refuse('host', `is not a host name or an IP address (it contains ${control ?? 'a character other than letters, digits, ".", "-", "_" and ":"'})`);
  }
}
