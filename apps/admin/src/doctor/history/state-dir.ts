import { homedir } from 'node:os';
import { join } from 'node:path';

export interface StateDirInput {
  /** --state-dir */
  stateDir?: string | undefined;
  env: NodeJS.ProcessEnv;
  uid: number | null;
}

/**
 * Where the doctor keeps its runs: --state-dir, else KDT_STATE_DIR, else for root
 * /var/lib/kit-db-test/doctor, else $XDG_STATE_HOME (default ~/.local/state)/kit-db-test/doctor.
 */
export function stateDir(input: StateDirInput): string {
  if (input.stateDir) return input.stateDir;
  if (input.env.KDT_STATE_DIR) return input.env.KDT_STATE_DIR;
  if (input.uid === 0) return '/var/lib/kit-db-test/doctor';
  const base = input.env.XDG_STATE_HOME || join(input.env.HOME || homedir(), '.local', 'state');
  return join(base, 'kit-db-test', 'doctor');
}
