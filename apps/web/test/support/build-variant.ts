import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WEB_DIR = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Builds the site as an operator would for a sub-path (BASE_PATH at build time), into its own
 * folder beside the default build. Returns the folder, relative to apps/web, for startSite().
 */
export function buildVariant(basePath: string): string {
  const out = `.test-build/base${basePath.replace(/\//g, '_')}`;
  const result = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build'], {
    cwd: WEB_DIR,
    env: { ...process.env, BASE_PATH: basePath, KDT_BUILD_DIR: out },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`vite build with BASE_PATH=${basePath} failed:\n${result.stdout}\n${result.stderr}`);
  return out;
}
