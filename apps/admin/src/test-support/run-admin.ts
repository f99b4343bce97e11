import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnProcess } from '@kit-db-test/testing';

const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

// The doctor keeps its runs: each command a test runs gets a folder of its own (owned by the
// account it runs as), so no run compares with another test's, and none touches the machine's
// state. A test of the history itself passes --state-dir.
const stateDirs: string[] = [];
process.once('exit', () => {
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});
function testStateDir(as: RunAdminOptions['as']): string {
  const dir = mkdtempSync(join(tmpdir(), 'kdt-state-'));
  if (as) chownSync(dir, as.uid, as.gid);
  stateDirs.push(dir);
  return dir;
}

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
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', KDT_STATE_DIR: testStateDir(options.as), ...options.env };
  const [command, argv] = options.umask
    ? ['/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  const child = spawnProcess(command, argv, { name: `pnpm admin ${args[0] ?? ''}`.trim(), env, input: '', ...(options.as ?? {}) });
  const limit = setTimeout(() => void child.stop(0), options.timeoutMs ?? 60_000);
  const { code } = await child.closed.finally(() => clearTimeout(limit));
  return { code, stdout: child.stdout(), stderr: child.stderr(), all: child.stdout() + child.stderr() };
}
