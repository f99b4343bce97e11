import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import { STARTUP_LINE, startSite, waitFor, type ProcessExit, type Site } from '@kit-db-test/testing';

export { waitFor };

/**
 * `node server.js` as startSite starts it (apps/web, a clean environment plus `env`, a free loopback
 * port), returned at once rather than on its start-up line (see listening()), so a server that
 * refuses to start is observed too.
 */
export interface ServerProcess extends Site {
  /** settles once the process has exited and its output is complete (on 'close'; `closed` by another name) */
  exited: Promise<ProcessExit>;
  /** resolves on the start-up line; rejects if the process closes first or after `ms` */
  listening(ms?: number): Promise<void>;
}

export interface SpawnOptions {
  /** run as this uid/gid (the tests run as root, which any permission lets through) */
  as?: { uid: number; gid: number };
  /** the umask the server starts with, e.g. '000' (through sh, which then execs node) */
  umask?: string;
}

export async function spawnServer(env: Record<string, string>, options: SpawnOptions = {}): Promise<ServerProcess> {
  const site = await startSite(env, { waitFor: 'none', ...options });
  return Object.assign(site, {
    exited: site.closed,
    listening: async (ms = 15_000) => {
      await site.waitForOutput('stdout', STARTUP_LINE, ms);
    },
  });
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
