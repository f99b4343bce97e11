import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PgCluster } from './cluster.js';

/** A cluster whose processes are stopped (SIGSTOP): sockets accept, nothing answers. */
export interface FrozenCluster {
  /** the postmaster and its children, as stopped */
  readonly pids: readonly number[];
  /** SIGCONT to every process stopped; safe to call twice */
  thaw(): void;
  [Symbol.dispose](): void;
}

const frozen = new Set<FrozenCluster>();

// A test that fails while the cluster is stopped must not leave it stopped: pg_ctl stop would wait
// on it forever, and the processes would outlive the run.
process.once('exit', () => {
  for (const f of frozen) f.thaw();
});

function postmasterPid(cluster: PgCluster): number {
  const pid = Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`no postmaster PID in ${cluster.dataDir}/postmaster.pid: is the cluster running?`);
  return pid;
}

function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === parent) children.push(Number(entry));
  }
  return children;
}

function signal(pid: number, name: 'SIGSTOP' | 'SIGCONT'): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Stops this cluster's server, as a frozen disk or a paused VM would: its postmaster first (so it
 * forks no new backend), then every child of it found in /proc. Only this cluster's processes are
 * touched. Thaw it with thaw() or `using`.
 */
export function freezeCluster(cluster: PgCluster): FrozenCluster {
  const postmaster = postmasterPid(cluster);
  const stopped: number[] = [];
  let thawed = false;
  const handle: FrozenCluster = {
    pids: stopped,
    thaw() {
      if (thawed) return;
      thawed = true;
      frozen.delete(handle);
      // Children first, so the postmaster finds them running when it resumes.
      for (const pid of [...stopped].reverse()) signal(pid, 'SIGCONT');
    },
    [Symbol.dispose]() {
      handle.thaw();
    },
  };
  frozen.add(handle);
  try {
    if (signal(postmaster, 'SIGSTOP')) stopped.push(postmaster);
    // A child forked just before the postmaster stopped shows up on a second look.
    for (let look = 0; look < 3; look++) {
      const fresh = childrenOf(postmaster).filter((pid) => !stopped.includes(pid));
      if (fresh.length === 0 && look > 0) break;
      for (const pid of fresh) if (signal(pid, 'SIGSTOP')) stopped.push(pid);
    }
  } catch (error) {
    handle.thaw();
    throw error;
  }
  return handle;
}
