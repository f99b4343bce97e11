import type { Check, CheckResult } from './types.js';

export interface RunHooks {
  /** Called before each check that runs (for a progress line on a terminal). */
  onStart?(check: { id: string; title: string }): void;
  onResult?(result: CheckResult): void;
}

/**
 * Runs the checks in the order given (already the dependency order), skipping one whose needs did
 * not pass, with the first failed need as the reason. A check that throws fails with its message:
 * a bug in one check must not hide the others.
 */
export async function runChecks<Context>(checks: Check<Context>[], context: Context, hooks: RunHooks = {}): Promise<CheckResult[]> {
  const results = new Map<string, CheckResult>();
  for (const check of checks) {
    const blocker = (check.needs ?? []).map((id) => results.get(id)).find((r) => !r || r.status === 'fail' || r.status === 'skip');
    let result: CheckResult;
    if (blocker !== undefined || (check.needs ?? []).some((id) => !results.has(id))) {
      // A skip passes its root cause on ("SELinux not present", "Authentication failed").
      const summary = !blocker
        ? 'skipped: an earlier check did not run'
        : blocker.status === 'skip'
          ? blocker.summary.startsWith('skipped: ') ? blocker.summary : `skipped: ${blocker.summary}`
          : `skipped: ${blocker.title} failed`;
      result = { id: check.id, title: check.title, status: 'skip', summary, evidence: [], fix: [] };
    } else {
      hooks.onStart?.(check);
      const start = performance.now();
      try {
        const outcome = await check.run(context);
        result = { id: check.id, title: check.title, evidence: [], fix: [], ...outcome };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        result = { id: check.id, title: check.title, status: 'fail', summary: `the check itself failed: ${message}`, evidence: [], fix: [] };
        // A bug, not a diagnosis: keep where it happened for --verbose and a bug report.
        if (error instanceof Error && error.stack) result.stack = error.stack;
      }
      result.ms = Math.round(performance.now() - start);
    }
    results.set(check.id, result);
    hooks.onResult?.(result);
  }
  return [...results.values()];
}
