import { readFileSync, readdirSync } from 'node:fs';
import type { TestProcess } from '@kit-db-test/testing';

// Every child the bench starts is tracked here until it has closed, so an error or Ctrl-C stops each one by its PID.
const children = new Map<TestProcess, string>();

export function track(what: string, child: TestProcess): () => void {
  children.set(child, what);
  const untrack = () => children.delete(child);
  void child.closed.then(untrack, untrack);
  return untrack;
}

/** SIGTERM to every tracked child still running, SIGKILL after `graceMs`. */
export async function stopTracked(graceMs = 5000): Promise<void> {
  await Promise.all([...children.keys()].map((child) => child.stop(graceMs)));
}

/** The parent PID from /proc/PID/stat (field 4, after the parenthesised command name). */
export function parseStatPpid(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[1]);
}

/** `pid` and all its descendants, from /proc. */
export function processTree(pid: number): number[] {
  const parentOf = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const ppid = parseStatPpid(stat);
    const list = parentOf.get(ppid) ?? [];
    list.push(Number(name));
    parentOf.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(parentOf.get(p) ?? []));
  }
  return out;
}

/** A `Key:   123 kB` field of /proc/PID/status or smaps_rollup, in kB; undefined when the process is gone. */
export function readKb(file: string, key: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

export interface MemoryPeak {
  /** peak of the per-sample sum of VmRSS over the tree, MiB */
  rssMiB: number;
  /** same for Pss (smaps_rollup): shared pages not counted twice */
  pssMiB: number;
  /** most processes seen in one sample */
  processes: number;
  samples: number;
}

/**
 * Samples VmRSS (and Pss) of process trees every `intervalMs` (the anchor: 0.2 s), summing each
 * tree (parent and children), and keeps the peak of each sum. `classify` splits a tree into groups
 * (the anchor's apache vs `(wsgi:` daemons).
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  readonly peaks = new Map<string, MemoryPeak>();
  private readonly roots: Record<string, number>;
  private readonly classify: ((cmd: string, root: string) => string) | undefined;
  constructor(roots: Record<string, number>, classify?: (cmd: string, root: string) => string, intervalMs = 200) {
    this.roots = roots;
    this.classify = classify;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const sums = new Map<string, { rss: number; pss: number; n: number }>();
    for (const [root, pid] of Object.entries(this.roots)) {
      for (const p of processTree(pid)) {
        const rss = readKb(`/proc/${p}/status`, 'VmRSS');
        if (rss === undefined) continue;
        const pss = readKb(`/proc/${p}/smaps_rollup`, 'Pss') ?? 0;
        const group = this.classify ? this.classify(cmdline(p), root) : root;
        for (const key of [group, 'total']) {
          const s = sums.get(key) ?? { rss: 0, pss: 0, n: 0 };
          s.rss += rss;
          s.pss += pss;
          s.n += 1;
          sums.set(key, s);
        }
      }
    }
    for (const [key, s] of sums) {
      const peak = this.peaks.get(key) ?? { rssMiB: 0, pssMiB: 0, processes: 0, samples: 0 };
      peak.rssMiB = Math.max(peak.rssMiB, s.rss / 1024);
      peak.pssMiB = Math.max(peak.pssMiB, s.pss / 1024);
      peak.processes = Math.max(peak.processes, s.n);
      peak.samples += 1;
      this.peaks.set(key, peak);
    }
  }

  stop(): Map<string, MemoryPeak> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.peaks;
  }
}

/** The aggregate `cpu` line of /proc/stat: total and idle (idle + iowait) jiffies. */
export function parseProcStat(text: string): { total: number; idle: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no cpu line');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already in user and nice)
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { total, idle: (v[3] ?? 0) + (v[4] ?? 0) };
}

/** utime + stime of a process from /proc/PID/stat (fields 14 and 15), in clock ticks; undefined when gone. */
export function parseStatCpu(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14, stime field 15
  return Number(rest[11]) + Number(rest[12]);
}

function treeCpu(roots: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const root of roots) {
    for (const pid of processTree(root)) {
      try {
        out.set(pid, parseStatCpu(readFileSync(`/proc/${pid}/stat`, 'utf8')));
      } catch {
        // gone
      }
    }
  }
  return out;
}

/**
 * How busy the machine is with work that is not this bench's, over `ms`, taken just before each
 * measured phase: the share of all CPUs in use (/proc/stat) minus what the process trees under
 * `roots` (the bench itself, and the daemons it started: PostgreSQL, the anchor's Apache) used.
 * Another workload on the same cores (tests, builds) skews every figure, the anchor's and ours alike.
 */
export async function machineBusy(roots: number[], ms = 1000): Promise<{ busy: number; foreign: number }> {
  const a = parseProcStat(readFileSync('/proc/stat', 'utf8'));
  const ownA = treeCpu(roots);
  await new Promise((r) => setTimeout(r, ms));
  const b = parseProcStat(readFileSync('/proc/stat', 'utf8'));
  const ownB = treeCpu(roots);
  const total = b.total - a.total;
  if (total <= 0) return { busy: 0, foreign: 0 };
  let own = 0;
  for (const [pid, t] of ownB) own += t - (ownA.get(pid) ?? t);
  const busy = 1 - (b.idle - a.idle) / total;
  return { busy, foreign: Math.max(0, busy - own / total) };
}
