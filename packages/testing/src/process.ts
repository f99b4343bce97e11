import { spawn } from 'node:child_process';

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Which of a process's outputs to watch: one stream, or both in the order they arrived. */
export type OutputStream = 'stdout' | 'stderr' | 'output';

/**
 * A child process under test. Its output is only complete once `closed` has settled: the
 * process's 'exit' can come before the last bytes of its pipes have been read, so anything that
 * asserts on what a process printed (or did not print) waits for `closed`, not for the exit.
 */
export interface TestProcess {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr together, in the order they arrived */
  output(): string;
  /**
   * Settles on 'close': the process has exited and its stdout and stderr have ended, so the
   * output above is everything it (and any child sharing its pipes) printed.
   */
  readonly closed: Promise<ProcessExit>;
  /** How it ended, once `closed` has settled; undefined while it runs. */
  exitStatus(): ProcessExit | undefined;
  /**
   * Resolves with the first text on `stream` that matches `pattern` (already printed or still to
   * come); rejects, with everything printed so far, if the process closes first or after `ms`.
   */
  waitForOutput(stream: OutputStream, pattern: RegExp | string, ms?: number): Promise<string>;
  /**
   * SIGTERM, then SIGKILL if it is still running after `graceMs`; resolves once it has closed.
   * Safe to call twice, and after the process has ended by itself.
   */
  stop(graceMs?: number): Promise<ProcessExit>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface SpawnProcessOptions {
  cwd?: string;
  /** the whole environment: nothing is inherited from the test's own */
  env?: NodeJS.ProcessEnv;
  /** run as this account (the tests may run as root) */
  uid?: number;
  gid?: number;
  /** written to stdin, which is then closed; without it stdin is /dev/null */
  input?: string;
  /** what error messages call it, e.g. "the site"; default: the command */
  name?: string;
}

const DEFAULT_WAIT_MS = 15_000;
const DEFAULT_GRACE_MS = 5000;

// Last resort when a test run is interrupted: no process outlives the test process that started it.
const running = new Set<number>();
process.once('exit', () => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

interface Waiter {
  stream: OutputStream;
  pattern: RegExp;
  resolve(text: string): void;
  reject(error: Error): void;
}

/** A pattern that matches the same way on every call: no `lastIndex` carried between them. */
function stateless(pattern: RegExp | string): RegExp {
  if (typeof pattern === 'string') return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ?? `code ${exit.code}`;
}

/**
 * Starts `command` with its stdout and stderr collected (one toolkit for every process a test
 * starts: the site, apache2, the admin CLI), and tracks it until it has closed.
 */
export function spawnProcess(command: string, args: string[], options: SpawnProcessOptions = {}): TestProcess {
  const name = options.name ?? command;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  const text: Record<OutputStream, string> = { stdout: '', stderr: '', output: '' };
  const waiters = new Set<Waiter>();
  let exit: ProcessExit | undefined;
  let exited = false;

  const settle = (waiter: Waiter, outcome: () => void) => {
    waiters.delete(waiter);
    outcome();
  };
  const check = (waiter: Waiter) => {
    const match = waiter.pattern.exec(text[waiter.stream]);
    if (match) settle(waiter, () => waiter.resolve(match[0]));
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]!.setEncoding('utf8');
    child[stream]!.on('data', (chunk: string) => {
      text[stream] += chunk;
      text.output += chunk;
      for (const waiter of [...waiters]) check(waiter);
    });
  }

  if (child.pid !== undefined) running.add(child.pid);
  child.once('exit', () => (exited = true));
  const closed = new Promise<ProcessExit>((resolve, reject) => {
    child.once('error', (error) => {
      // Only a process that never started ends here; a failed kill() of a running one does not.
      if (child.pid === undefined) reject(new Error(`${name} did not start: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      if (child.pid !== undefined) running.delete(child.pid);
      exit = { code, signal };
      for (const waiter of [...waiters]) {
        settle(waiter, () =>
          waiter.reject(new Error(`${name} exited with ${describeExit(exit!)} before printing ${waiter.pattern} on ${waiter.stream}:\n${text.output}`)),
        );
      }
      resolve(exit);
    });
  });
  closed.catch(() => undefined); // awaited by callers; never an unhandled rejection here

  const waitForOutput = (stream: OutputStream, pattern: RegExp | string, ms = DEFAULT_WAIT_MS) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!waiters.has(waiter)) return;
        settle(waiter, () => reject(new Error(`${name} printed no ${waiter.pattern} on ${stream} within ${ms} ms:\n${text.output}`)));
      }, ms);
      const waiter: Waiter = {
        stream,
        pattern: stateless(pattern),
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      waiters.add(waiter);
      check(waiter);
      if (waiters.has(waiter) && exit) {
        settle(waiter, () => waiter.reject(new Error(`${name} exited with ${describeExit(exit!)} before printing ${waiter.pattern} on ${stream}:\n${text.output}`)));
      }
    });

  const stop = async (graceMs = DEFAULT_GRACE_MS): Promise<ProcessExit> => {
    if (exit) return exit;
    if (child.pid === undefined) return closed;
    if (!exited) child.kill('SIGTERM');
    const killer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, graceMs);
    // A descendant that outlives the process keeps its pipes open, and 'close' with them: after
    // another grace period, give up on the rest of the output rather than hang the test.
    const abandon = setTimeout(() => {
      child.stdout!.destroy();
      child.stderr!.destroy();
    }, 2 * graceMs);
    try {
      return await closed;
    } finally {
      clearTimeout(killer);
      clearTimeout(abandon);
    }
  };

  return {
    pid: child.pid ?? -1,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    output: () => text.output,
    closed,
    exitStatus: () => exit,
    waitForOutput,
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}
