import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun } from './run-command.js';

/** Bump when the recipe below changes: an older cached root is then built again, not reused. */
export const PRISTINE_ROOT_VERSION = 'debian-12-bookworm-systemd-1';
const SUITE = 'bookworm';
const PACKAGES = ['dbus', 'systemd-sysv', 'ca-certificates'];
const SOURCES_DIR = '/etc/apt/sources.list.d';

/** Where pristine roots are kept between runs: outside every checkout, so that one build serves them all. */
export function machineCacheDir(): string {
  return process.env.KDT_MACHINE_CACHE ?? (process.getuid?.() === 0 ? '/var/cache/kit-db-test' : join(tmpdir(), 'kit-db-test-cache'));
}

/** The Debian mirror this machine's own apt uses (deb822 sources), so the container downloads from where the host may. */
export function hostDebianMirror(sourcesDir = SOURCES_DIR): string {
  for (const name of existsSync(sourcesDir) ? readdirSync(sourcesDir).filter((n) => n.endsWith('.sources')).sort() : []) {
    for (const stanza of readFileSync(join(sourcesDir, name), 'utf8').split(/\n\s*\n/)) {
      const uris = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1]?.split(/\s+/) ?? [];
      if (uris && suites.includes(SUITE)) return uris;
    }
  }
  return 'http://deb.debian.org/debian';
}

/**
 * A plain Debian 12 root filesystem with systemd as init, as debootstrap makes it, with this
 * machine's apt sources: built once (about 2.5 minutes) into the cache and reused. Callers boot a
 * copy, never this tree itself. `log` receives debootstrap's progress.
 */
export async function pristineDebianRoot(log: (text: string) => void = () => {}): Promise<string> {
  const cache = machineCacheDir();
  const root = join(cache, PRISTINE_ROOT_VERSION);
  if (existsSync(join(root, '.kdt-complete'))) return root;
  mkdirSync(cache, { recursive: true });
  const partial = `${root}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  try {
    await mustRun('debootstrap', [`--include=${PACKAGES.join(',')}`, SUITE, partial, hostDebianMirror()], { onOutput: log });
    // The host's own sources (mirror, security updates), as a server installed from them would have.
    rmSync(join(partial, 'etc/apt/sources.list'), { force: true });
    for (const name of existsSync(SOURCES_DIR) ? readdirSync(SOURCES_DIR).filter((n) => n.endsWith('.sources')) : []) {
      copyFileSync(join(SOURCES_DIR, name), join(partial, SOURCES_DIR, name));
    }
    writeFileSync(join(partial, '.kdt-complete'), `${PRISTINE_ROOT_VERSION}\n`);
    rmSync(root, { recursive: true, force: true });
    renameSync(partial, root);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return root;
}
