import { fileURLToPath } from 'node:url';
import { spawnProcess } from '@kit-db-test/testing';

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

/** Runs the built `pnpm admin` entry point as an operator would, with stdin not a terminal; stopped after 60 s. */
export async function runAdmin(args: string[], options: RunAdminOptions = {}): Promise<AdminRun> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...options.env };
  const [command, argv] = options.umask
    ? ['/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  const child = spawnProcess(command, argv, { name: `pnpm admin ${args[0] ?? ''}`.trim(), env, input: '', ...(options.as ?? {}) });
  const limit = setTimeout(() => void child.stop(0), options.timeoutMs ?? 60_000);
  const { code } = await child.closed.finally(() => clearTimeout(limit));
  return { code, stdout: child.stdout(), stderr: child.stderr(), all: child.stdout() + child.stderr() };
}
