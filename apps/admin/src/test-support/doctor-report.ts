import { runAdmin, type AdminRun, type RunAdminOptions } from './run-admin.js';

export interface DoctorCheck {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  summary: string;
  evidence: string[];
  fix: string[];
  /** how long the check ran, with --verbose (absent for a skipped one) */
  ms?: number;
}

export interface DoctorReport {
  run: AdminRun;
  ok: boolean;
  checks: DoctorCheck[];
  check(id: string): DoctorCheck;
  /** ids of the checks with this status */
  with(status: DoctorCheck['status']): string[];
}

/** Runs `pnpm admin doctor --json` and reads its report. */
export async function doctor(args: string[], options: RunAdminOptions): Promise<DoctorReport> {
  const run = await runAdmin(['doctor', '--json', ...args], options);
  let parsed: { ok: boolean; checks: DoctorCheck[] };
  try {
    parsed = JSON.parse(run.stdout);
  } catch {
    throw new Error(`doctor printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return {
    run,
    ...parsed,
    check(id) {
      const found = parsed.checks.find((c) => c.id === id);
      if (!found) throw new Error(`no check ${id} in ${parsed.checks.map((c) => c.id).join(', ')}`);
      return found;
    },
    with: (status) => parsed.checks.filter((c) => c.status === status).map((c) => c.id),
  };
}
