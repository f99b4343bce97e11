export const STATUSES = ['pass', 'warn', 'fail', 'skip'] as const;
export type CheckStatus = (typeof STATUSES)[number];

/** One line of the doctor's report, as printed and as in --json. */
export interface CheckResult {
  /** stable, dotted: config.*, pg.*, sqlite.* */
  id: string;
  title: string;
  status: CheckStatus;
  /** the short result, on the check's line */
  summary: string;
  /** why: the file and line, the server's message */
  evidence: string[];
  /** the exact command or edit */
  fix: string[];
  /** set with --verbose: how long the check took */
  ms?: number;
  /** when the check itself threw: where (printed and in --json with --verbose only) */
  stack?: string;
}

/**
 * What a check's run() returns; the runner adds id, title and timing. A check may skip itself
 * when it does not apply here (no SELinux, no httpd): a skip is never a failure.
 */
export interface CheckOutcome {
  status: CheckStatus;
  summary: string;
  evidence?: string[];
  fix?: string[];
}

/**
 * A check: `needs` lists the ids that must have passed (or warned) for it to run; otherwise it is
 * skipped with the reason. `run` may stash what later checks need on the shared context.
 */
export interface Check<Context> {
  id: string;
  title: string;
  needs?: string[];
  run(context: Context): Promise<CheckOutcome>;
}

export const pass = (summary: string, evidence: string[] = []): CheckOutcome => ({ status: 'pass', summary, evidence });
export const warn = (summary: string, evidence: string[] = [], fix: string[] = []): CheckOutcome => ({ status: 'warn', summary, evidence, fix });
export const skip = (summary: string, evidence: string[] = []): CheckOutcome => ({ status: 'skip', summary, evidence });
export const fail = (summary: string, evidence: string[] = [], fix: string[] = []): CheckOutcome => ({ status: 'fail', summary, evidence, fix });
