import { bearsOn } from './check-facts.js';
import { diffFacts, type FactChange } from './fact-diff.js';
import { isObserved, type RunRecord } from './run-record.js';

/** A check that failed in the earlier run and passes (or only warns) in the later one. */
export interface FixedCheck {
  id: string;
  title: string;
  /** its failing summary and the fix it printed then */
  was: string;
  fix: string[];
  now: string;
  /** the changes among the facts it rests on: what fixed it */
  changes: FactChange[];
  /** what the server or site answered differently: the facts that show it worked */
  observed: FactChange[];
}

export interface Explanation {
  before: { id: string; at: string; ok: boolean };
  after: { id: string; at: string; ok: boolean };
  fixed: FixedCheck[];
  /** changes that turned no check from failing to passing */
  other: FactChange[];
  /** checks that passed before and fail now */
  broken: { id: string; title: string; now: string }[];
}

// The answers that show a check of this family now works.
const OBSERVED_FOR: [prefix: string, keys: string[]][] = [
  ['pg.', ['pg.login', 'pg.hba.decides']],
  ['sqlite.', []],
  ['', ['site.answered', 'site.public']],
];

const settled = (status: string) => status === 'pass' || status === 'warn';

/**
 * A change to pg_hba.conf explains a login only if it is about the line that took the app's
 * connection before or after; others (a line for another network) did not matter. If no change
 * touches those lines, every change to the file is kept: the doctor cannot tell them apart.
 */
function hbaRelevant(changes: FactChange[], deciding: Set<string>): FactChange[] {
  const hba = changes.filter((c) => c.key === 'pg.hba.rules');
  const touching = hba.filter((c) => c.rules?.some((r) => deciding.has(r)));
  if (touching.length === 0) return changes;
  return changes.filter((c) => c.key !== 'pg.hba.rules' || touching.includes(c));
}

/** What changed between two runs, and which of it explains each check that got fixed, in check order. */
export function explainFix(before: RunRecord, after: RunRecord): Explanation {
  const changes = diffFacts(before.facts, after.facts);
  const causes = changes.filter((c) => !isObserved(c.key));
  const deciding = new Set([before.facts['pg.hba.decides'], after.facts['pg.hba.decides']].filter((v): v is string => typeof v === 'string'));
  const beforeStatus = new Map(before.checks.map((c) => [c.id, c]));
  const fixed: FixedCheck[] = [];
  const broken: Explanation['broken'] = [];
  for (const check of after.checks) {
    const earlier = beforeStatus.get(check.id);
    if (!earlier) continue;
    if (settled(earlier.status) && check.status === 'fail') broken.push({ id: check.id, title: check.title, now: check.summary });
    if (earlier.status !== 'fail' || !settled(check.status)) continue;
    const observedKeys = OBSERVED_FOR.find(([prefix]) => check.id.startsWith(prefix))![1];
    fixed.push({
      id: check.id,
      title: check.title,
      was: earlier.summary,
      fix: earlier.fix,
      now: check.summary,
      changes: hbaRelevant(causes.filter((c) => bearsOn(check.id, c.key)), deciding),
      observed: changes.filter((c) => observedKeys.includes(c.key)),
    });
  }
  const explaining = new Set(fixed.flatMap((f) => f.changes));
  return {
    before: { id: before.id, at: before.at, ok: before.checks.every((c) => c.status !== 'fail') },
    after: { id: after.id, at: after.at, ok: after.checks.every((c) => c.status !== 'fail') },
    fixed,
    other: causes.filter((c) => !explaining.has(c)),
    broken,
  };
}
