import { spawn } from 'node:child_process';

export interface CommandResult {
  /** exit code; null when the command could not run or was killed */
  code: number | null;
  stdout: string;
  stderr: string;
  /** ENOENT: no such program; ETIMEDOUT: killed after the timeout; other spawn errors by code */
  error?: string;
}

/**
 * How the doctor runs programs (getenforce, semanage, httpd -M, systemctl …): one small layer that
 * tests replace with recorded outputs. No check spawns a process itself.
 */
export interface CommandRunner {
  run(binary: string, args: string[], timeoutMs?: number): Promise<CommandResult>;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

/** Runs real programs, with a timeout, a C locale (stable output to parse) and no standard input. */
export const systemCommands: CommandRunner = {
  run(binary, args, timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS) {
    return new Promise((resolve) => {
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      // Our own timer, not spawn's `timeout` option: that one is not cleared when the program does
      // not exist, and would hold the doctor open for the whole timeout.
      let settled = false;
      const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      const done = (result: CommandResult) => {
        clearTimeout(timer);
        if (!settled) {
          settled = true;
          resolve(result);
        }
      };
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (error: NodeJS.ErrnoException) => done({ code: null, stdout, stderr, error: error.code ?? 'ERROR' }));
      child.on('close', (code) => done(timedOut ? { code: null, stdout, stderr, error: 'ETIMEDOUT' } : { code, stdout, stderr }));
    });
  },
};

/**
 * A runner that answers from recorded outputs, keyed by the command line ("getsebool -a"). A
 * command not in the table behaves as a program that is not installed (ENOENT).
 */
export function recordedCommands(table: Record<string, Partial<CommandResult> | string>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async run(binary, args) {
      const key = [binary, ...args].join(' ');
      calls.push(key);
      const entry = table[key];
      if (entry === undefined) return { code: null, stdout: '', stderr: '', error: 'ENOENT' };
      if (typeof entry === 'string') return { code: 0, stdout: entry, stderr: '' };
      return { code: 0, stdout: '', stderr: '', ...entry };
    },
  };
}
