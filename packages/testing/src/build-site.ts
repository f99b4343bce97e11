import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { webDir } from './site.js';

/** Holds apps/web's build lock: two vite builds at once would share .svelte-kit/ and spoil each other. */
function withBuildLock<T>(dir: string, work: () => T): T {
  const lock = join(dir, '.test-build', '.lock');
  mkdirSync(join(dir, '.test-build'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than any build is left from a killed run.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${lock}: another build holds it for too long`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Builds the site as an operator would for a sub-path (BASE_PATH at build time), into its own
 * folder beside the default build (`name`: one per test file, so parallel files never share one).
 * Returns the folder, relative to apps/web, for startSite().
 */
export function buildSite(basePath: string, name = `base${basePath.replace(/\//g, '_')}`): string {
  const out = `.test-build/${name}`;
  const dir = webDir();
  const built = statSync(join(dir, out, 'handler.js'), { throwIfNoEntry: false });
  const main = statSync(join(dir, 'build', 'handler.js'), { throwIfNoEntry: false });
  // Built after the current main build: this run already made it.
  if (built && main && built.mtimeMs > main.mtimeMs) return out;
  return withBuildLock(dir, () => build(dir, out, basePath));
}

function build(dir: string, out: string, basePath: string): string {
  const result = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build'], {
    cwd: dir,
    env: { ...process.env, BASE_PATH: basePath, KDT_BUILD_DIR: out },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`vite build with BASE_PATH=${basePath} failed:\n${result.stdout}\n${result.stderr}`);
  return out;
}
