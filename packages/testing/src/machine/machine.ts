import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareRoot, type RootIdentity } from './prepare-root.js';
import { mustRun, runCommand, type CommandResult } from './run-command.js';

const UNIFIED = '/sys/fs/cgroup/unified';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface MachineOptions extends RootIdentity {
  /** the pristine root (pristineDebianRoot()): copied, never booted itself */
  pristine: string;
  /** where the console and every command's output are appended, for a failure's post-mortem */
  logFile: string;
}

export interface RunOptions {
  /** extra variables for the login shell, e.g. where the repository to clone is */
  env?: Record<string, string>;
  /** give up (and fail) after this long */
  timeoutMs?: number;
}

function parentOf(pid: number): number | null {
  try {
    // comm may hold spaces and parentheses: the fields after the last ")" are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

function comm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((p) => parentOf(p) === pid);
}

/** The process below `top` named `name`, breadth first. */
function descendantNamed(top: number, name: string): number | null {
  const queue = [top];
  while (queue.length) {
    const pid = queue.shift()!;
    if (pid !== top && comm(pid) === name) return pid;
    queue.push(...childrenOf(pid));
  }
  return null;
}

/** The cgroup and the ones nspawn made inside it (payload, supervisor), deepest first: empty once nspawn has exited. */
function removeCgroup(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) removeCgroup(join(path, entry.name));
  rmdirSync(path);
}

/**
 * A fresh Debian 12 server with systemd as PID 1, booted with systemd-nspawn from a copy of the
 * pristine root. On a host whose PID 1 is not systemd (no system bus, hybrid cgroups) nspawn
 * boots only from a child cgroup of the unified hierarchy, with SYSTEMD_NSPAWN_UNIFIED_HIERARCHY
 * and a terminal (script(1)), without machined. It shares the host's network; commands run in it
 * through nsenter. "Rebooting" is a poweroff and a fresh boot of the same root.
 */
export class Machine {
  readonly root: string;
  private readonly workDir: string;
  private readonly cgroup: string;
  private nspawn: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private leader = 0;
  private readonly options: MachineOptions;

  private constructor(options: MachineOptions) {
    this.options = options;
    this.workDir = mkdtempSync(join(tmpdir(), 'kdt-machine-'));
    this.root = join(this.workDir, 'root');
    this.cgroup = join(UNIFIED, options.name);
  }

  /** Copies the pristine root, makes it this machine (name, address, CAs) and boots it until systemd says the boot is done. */
  static async create(options: MachineOptions): Promise<Machine> {
    const machine = new Machine(options);
    try {
      await mustRun('cp', ['-a', '--reflink=auto', options.pristine, machine.root]);
      await prepareRoot(machine.root, options);
      await machine.boot();
    } catch (error) {
      await machine.dispose();
      throw error;
    }
    return machine;
  }

  get name(): string {
    return this.options.name;
  }

  private log(text: string): void {
    appendFileSync(this.options.logFile, text);
  }

  /** Boots the root and waits until `systemctl is-system-running --wait` answers; returns that state (running, degraded). */
  async boot(): Promise<string> {
    if (this.nspawn) throw new Error(`${this.name} is already running`);
    mkdirSync(this.cgroup, { recursive: true });
    const nspawn = `exec systemd-nspawn -b -D ${this.root} --register=no --keep-unit --machine=${this.name}`;
    // The shell moves itself into the cgroup first: nspawn then runs as that cgroup's only member.
    const child = spawn('bash', ['-c', `echo $$ > ${this.cgroup}/cgroup.procs && exec script -qfec "$0" /dev/null`, nspawn], {
      env: { PATH, SHELL: '/bin/sh', TERM: 'xterm', SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.nspawn = child;
    this.log(`\n=== boot ${this.name} (pid ${child.pid})\n`);
    child.stdout!.on('data', (c: Buffer) => this.log(c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => this.log(c.toString('utf8')));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let gone = false;
    void this.exited.then(() => {
      gone = true;
      this.nspawn = null;
    });

    // The container's PID 1 is the child of the nspawn process: wait for both to exist.
    for (;;) {
      if (gone) throw new Error(`${this.name}: systemd-nspawn exited during boot; see ${this.options.logFile}`);
      const nspawnPid = descendantNamed(child.pid!, 'systemd-nspawn') ?? (comm(child.pid!) === 'systemd-nspawn' ? child.pid! : null);
      const init = nspawnPid === null ? undefined : childrenOf(nspawnPid)[0];
      if (init !== undefined && comm(init) === 'systemd') {
        this.leader = init;
        break;
      }
      await sleep(100);
    }
    // nsenter can only enter once systemd has set up the namespaces; is-system-running --wait then blocks until boot ends.
    for (;;) {
      if (gone) throw new Error(`${this.name}: systemd-nspawn exited during boot; see ${this.options.logFile}`);
      const state = await this.run('systemctl is-system-running --wait', { timeoutMs: 120_000 });
      const answer = state.output.trim().split('\n').at(-1) ?? '';
      if (['running', 'degraded'].includes(answer)) {
        if (answer === 'degraded') this.log((await this.run('systemctl --failed --no-pager')).output);
        return answer;
      }
      await sleep(200);
    }
  }

  /** Runs a bash login script as root inside the machine, with a clean environment as after `ssh root@server`. */
  async run(script: string, options: RunOptions = {}): Promise<CommandResult> {
    if (!this.nspawn) throw new Error(`${this.name} is not running`);
    const env = Object.entries({ PATH, HOME: '/root', USER: 'root', LOGNAME: 'root', TERM: 'xterm', LANG: 'C.UTF-8', ...options.env }).map(([k, v]) => `${k}=${v}`);
    const controller = new AbortController();
    const timer = options.timeoutMs ? setTimeout(() => controller.abort(), options.timeoutMs) : undefined;
    this.log(`\n=== ${this.name}$ ${script.length > 300 ? `${script.slice(0, 300)}…` : script}\n`);
    try {
      const result = await runCommand('nsenter', ['-t', String(this.leader), '-a', 'env', '-i', ...env, 'bash', '-l', '-c', script], {
        signal: controller.signal,
        killSignal: 'SIGKILL',
        onOutput: (text) => this.log(text),
      });
      return result;
    } catch (error) {
      if (controller.signal.aborted) throw new Error(`${this.name}: gave up after ${options.timeoutMs} ms: ${script.slice(0, 200)}`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `systemctl poweroff` inside, then waits for nspawn to exit (a reboot in place does not work here: /run is not a tmpfs). */
  async poweroff(): Promise<void> {
    const child = this.nspawn;
    if (!child) return;
    await this.run('systemctl poweroff').catch(() => undefined);
    const stopped = await Promise.race([this.exited.then(() => true), sleep(90_000).then(() => false)]);
    if (!stopped && child.pid) {
      // Only our own nspawn, by its PID: it takes the container down with it.
      this.log(`\n=== ${this.name}: no exit 90 s after poweroff; killing nspawn ${child.pid}\n`);
      const nspawnPid = descendantNamed(child.pid, 'systemd-nspawn');
      if (nspawnPid) process.kill(nspawnPid, 'SIGKILL');
      await this.exited;
    }
  }

  /** A poweroff and a fresh boot of the same root, as a server's reboot. */
  async reboot(): Promise<string> {
    await this.poweroff();
    return this.boot();
  }

  /** Powers off, waits for nspawn, removes the cgroup and the work copy. */
  async dispose(): Promise<void> {
    await this.poweroff();
    removeCgroup(this.cgroup);
    // A server's tree of small files takes a while to delete: off the event loop.
    await mustRun('rm', ['-rf', '--one-file-system', this.workDir]);
  }
}
