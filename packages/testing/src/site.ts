import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './postgres/free-port.js';

/** apps/web of this checkout (the site's built server.js lives there). */
export function webDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('not inside the kit-db-test checkout');
    dir = parent;
  }
  return join(dir, 'apps', 'web');
}

export interface Site {
  /** http://127.0.0.1:PORT plus the base path, with a trailing slash: the page's URL */
  url: string;
  origin: string;
  pid: number;
  /** everything the server printed */
  output(): string;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/**
 * Starts the built site (apps/web: `node server.js`) on a free loopback port with a clean environment plus
 * `env`, and waits for its start-up line. `buildDir` picks another build (e.g. the sub-path one).
 */
export async function startSite(env: Record<string, string>, options: { buildDir?: string; basePath?: string; port?: number } = {}): Promise<Site> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, ['server.js'], {
    cwd: webDir(),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(options.buildDir ? { KDT_BUILD_DIR: options.buildDir } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the site did not start within 15 s:\n${output}`)), 15_000);
    const check = () => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the site exited with ${code}:\n${output}`));
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(killer);
    }
  };
  return {
    url: `${origin}${options.basePath ?? ''}/`,
    origin,
    pid: child.pid!,
    output: () => output,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
