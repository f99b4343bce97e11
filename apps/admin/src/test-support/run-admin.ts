import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

export interface AdminRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for "never shows the password" checks */
  all: string;
}

export interface RunAdminOptions {
  /** Variables on top of a clean environment (no KDT_* or DATABASE_* from the caller's shell). */
  env?: Record<string, string>;
  /** Run as this uid/gid (a service user without write access), when the tests run as root. */
  as?: { uid: number; gid: number };
  /** Kill the command after this long (default 60 s); a run that hangs then ends with code null. */
  timeoutMs?: number;
  /** The umask the command starts with, e.g. '000' (through sh, which then execs node). */
  umask?: string;
}

/** Runs the built `pnpm admin` entry point as an operator would, with stdin not a terminal. */
export function runAdmin(args: string[], options: RunAdminOptions = {}): Promise<AdminRun> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...options.env };
  return new Promise((resolve, reject) => {
    const [command, argv] = options.umask
      ? ['/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, BIN, ...args]]
      : [process.execPath, [BIN, ...args]];
    const child = spawn(command, argv, {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
      ...(options.as ?? {}),
    });
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, all: stdout + stderr }));
  });
}
