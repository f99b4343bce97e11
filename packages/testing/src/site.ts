import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './postgres/free-port.js';
import { spawnProcess, type TestProcess } from './process.js';

/** The root of this checkout (the folder holding pnpm-workspace.yaml). */
export function findCheckout(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('not inside the kit-db-test checkout');
    dir = parent;
  }
  return dir;
}

/** apps/web of this checkout (the site's built server.js lives there). */
export function webDir(): string {
  return join(findCheckout(), 'apps', 'web');
}

/** The site's start-up line (server.js prints one per site, whatever WORKERS says). */
export const STARTUP_LINE = /^kit-db-test listening on .*$/m;

export interface Site extends TestProcess {
  /** http://127.0.0.1:PORT plus the base path, with a trailing slash: the page's URL */
  url: string;
  origin: string;
  port: number;
  /** milliseconds from the spawn until it was ready (see StartSiteOptions.waitFor); 0 with 'none' */
  coldStartMs: number;
}

export interface StartSiteOptions {
  /** another build, relative to apps/web (e.g. the sub-path one from buildSite()) */
  buildDir?: string;
  basePath?: string;
  /** the port to listen on (default: a free one) */
  port?: number;
  /**
   * When the site counts as started: its start-up line ('line', the default), the first 200 from
   * a URL (`{ http }`, e.g. through httpd), or at once ('none': the caller watches it start, or fail).
   */
  waitFor?: 'line' | 'none' | { http: string };
  /** NODE_OPTIONS for the site, e.g. a heap cap */
  nodeOptions?: string;
  /** how long to wait for it to be ready (default 15 s) */
  readyMs?: number;
  /** run as this uid/gid (the tests run as root, which any permission lets through) */
  as?: { uid: number; gid: number };
  /** the umask the server starts with, e.g. '000' (through sh, which then execs node) */
  umask?: string;
}

/**
 * Starts the built site (apps/web: `node server.js`) on a free loopback port with a clean environment plus
 * `env`, and waits until it is ready (its start-up line by default). If it exits first, or is not ready in
 * time, it is stopped and the error carries everything it printed.
 */
export async function startSite(env: Record<string, string>, options: StartSiteOptions = {}): Promise<Site> {
  const port = options.port ?? (await freePort());
  const started = performance.now();
  const [command, args] = options.umask
    ? ['/bin/sh', ['-c', `umask ${options.umask} && exec "$0" server.js`, process.execPath]]
    : [process.execPath, ['server.js']];
  const child = spawnProcess(command, args, {
    name: 'the site',
    cwd: webDir(),
    ...(options.as ?? {}),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(options.buildDir ? { KDT_BUILD_DIR: options.buildDir } : {}),
      ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
      ...env,
    },
  });
  const waitFor = options.waitFor ?? 'line';
  const readyMs = options.readyMs ?? 15_000;
  try {
    if (waitFor === 'line') await child.waitForOutput('stdout', STARTUP_LINE, readyMs);
    else if (waitFor !== 'none') await firstOk(child, waitFor.http, readyMs);
  } catch (error) {
    const exit = child.exitStatus(); // set when it closed by itself, before being ready
    await child.stop();
    throw exit ? new Error(`the site exited with ${exit.signal ?? exit.code}:\n${child.output()}`) : error;
  }
  const origin = `http://127.0.0.1:${port}`;
  return Object.assign(child, {
    url: `${origin}${options.basePath ?? ''}/`,
    origin,
    port,
    coldStartMs: waitFor === 'none' ? 0 : performance.now() - started,
  });
}

/** Polls `url` until it answers 200; rejects when the process closes first or after `ms`. */
async function firstOk(child: TestProcess, url: string, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (child.exitStatus()) throw new Error(`exited before ${url} answered 200`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await Promise.race([new Promise((r) => setTimeout(r, 5)), child.closed]);
  }
  throw new Error(`the site did not answer 200 at ${url} within ${ms} ms:\n${child.output()}`);
}
