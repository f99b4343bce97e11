import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from '@kit-db-test/testing';

/** apps/web, where server.js is. */
const WEB_DIR = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `node server.js` as startSite starts it (apps/web, a clean environment plus `env`, a free loopback
 * port), but with what startSite keeps to itself: the exit status, and stdout apart from stderr.
 * It does not wait for the start-up line (see listening()), so a server that refuses to start is
 * observed too.
 */
export interface ServerProcess {
  pid: number;
  port: number;
  /** http://127.0.0.1:PORT/ */
  url: string;
  stdout(): string;
  stderr(): string;
  /** settles when the process has exited */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** resolves on the start-up line; rejects if the process exits first or after `ms` */
  listening(ms?: number): Promise<void>;
  /** SIGTERM, SIGKILL after 5 s; waits for the exit */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface SpawnOptions {
  /** run as this uid/gid (the tests run as root, which any permission lets through) */
  as?: { uid: number; gid: number };
  /** the umask the server starts with, e.g. '000' (through sh, which then execs node) */
  umask?: string;
}

export async function spawnServer(env: Record<string, string>, options: SpawnOptions = {}): Promise<ServerProcess> {
  const port = await freePort();
  const [command, args] = options.umask
    ? ['/bin/sh', ['-c', `umask ${options.umask} && exec "$0" server.js`, process.execPath]]
    : [process.execPath, ['server.js']];
  const child = spawn(command, args, {
    cwd: WEB_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.as ?? {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  const stop = async () => {
    if (done) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  return {
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}/`,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    listening: (ms = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (stdout.includes('listening on')) finish(resolve);
        }, 10);
        const deadline = setTimeout(() => finish(() => reject(new Error(`no start-up line within ${ms} ms:\n${stdout}${stderr}`))), ms);
        void exited.then(({ code, signal }) => finish(() => reject(new Error(`the server exited with ${signal ?? code}:\n${stdout}${stderr}`))));
        let settled = false;
        function finish(settle: () => void) {
          if (settled) return;
          settled = true;
          clearInterval(timer);
          clearTimeout(deadline);
          settle();
        }
      }),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** The processes `pid` started that are still its children (Linux: /proc/PID/task/PID/children). */
export function childPids(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Whether a process with this id exists (a zombie counts: it has not been reaped). */
export function processExists(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Polls `probe` every 20 ms until it returns a value other than undefined, or throws after `ms`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Answer {
  status: number;
  body: string;
  /** the site process that held the connection the answer came on */
  pid: number | undefined;
}

/**
 * `count` GETs of `path`, each on a connection of its own, all open at once, and kept open until
 * every answer is in: the processes that hold them answered them, so each answer says which
 * process of a multi-process site gave it.
 */
export async function getOnSeparateConnections(url: string, path: string, count: number, pids: number[], headers: Record<string, string> = {}): Promise<Answer[]> {
  const port = Number(new URL(url).port);
  const agent = new http.Agent({ keepAlive: true, maxSockets: count });
  try {
    const results = await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<{ status: number; body: string; local: number }>((resolve, reject) => {
            const req = http.get(new URL(path, url), { agent, timeout: 5000, headers }, (res) => {
              let body = '';
              res.setEncoding('utf8');
              res.on('data', (d: string) => (body += d));
              res.on('end', () => resolve({ status: res.statusCode!, body, local: req.socket!.localPort! }));
              res.on('error', reject);
            });
            req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
            req.on('error', reject);
          }),
      ),
    );
    // Every socket is still open (keep-alive, one request each): find which process holds its other end.
    const owner = ownersOfClientPorts(pids, port);
    return results.map((r) => ({ status: r.status, body: r.body, pid: owner.get(r.local) }));
  } finally {
    agent.destroy();
  }
}

/** For the connections to 127.0.0.1:port, the client port of each mapped to the process serving it. */
function ownersOfClientPorts(pids: number[], port: number): Map<number, number> {
  const byInode = new Map<string, number>(); // server-side inode -> client port
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [, local, remote, state, , , , , , inode] = f;
    if (state === '01' && parseInt(local!.split(':')[1]!, 16) === port) byInode.set(inode!, parseInt(remote!.split(':')[1]!, 16));
  }
  const owners = new Map<number, number>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        const clientPort = inode === undefined ? undefined : byInode.get(inode);
        if (clientPort !== undefined) owners.set(clientPort, pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  return owners;
}
