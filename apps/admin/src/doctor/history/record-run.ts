import { hostname } from 'node:os';
import type { DoctorContext } from '../context.js';
import type { CheckResult } from '../types.js';
import { collectFacts } from './collect-facts.js';
import { explainFix, type Explanation } from './explain-fix.js';
import { RunStore, runId } from './run-store.js';
import { failed, RECORD_VERSION, type RunRecord } from './run-record.js';
import { maskValue, redactKnown } from './secret-mask.js';

export interface Recorded {
  path: string;
  record: RunRecord;
  /** this run passes and the one before it (same profile) failed: what changed since the last failing run */
  explanation: Explanation | null;
}

/** The configured password, for the final sweep: whatever a check wrote, it is never stored. */
function knownSecrets(context: DoctorContext): string[] {
  const target = context.config.target;
  const secrets = target.driver === 'postgresql' && target.password ? [target.password.reveal()] : [];
  for (const [key, value] of Object.entries(context.site.env)) if (/PASS|SECRET|TOKEN/i.test(key) && !/_FILE$/i.test(key)) secrets.push(value);
  return secrets;
}

/** Takes the run's snapshot, stores it, and compares it with the last failing run when it is the first to pass again. */
export async function recordRun(context: DoctorContext, results: CheckResult[], store: RunStore, now = new Date()): Promise<Recorded> {
  const profile = context.config.profile.name;
  const record: RunRecord = {
    version: RECORD_VERSION,
    id: runId(now, process.pid),
    at: now.toISOString(),
    host: hostname(),
    profile,
    ok: !results.some((r) => r.status === 'fail'),
    checks: results.map((r) => ({ id: r.id, title: r.title, status: r.status, summary: maskValue(r.summary), fix: r.fix.map(maskValue) })),
    facts: await collectFacts(context, results),
  };
  const safe = JSON.parse(redactKnown(JSON.stringify(record), knownSecrets(context))) as RunRecord;
  const earlier = store.list().filter((r) => r.profile === profile);
  const path = store.save(safe, `${JSON.stringify(safe, null, 1)}\n`);
  const previous = earlier.at(-1);
  const explanation = safe.ok && previous && failed(previous) ? explainFix(previous, safe) : null;
  return { path, record: safe, explanation };
}
