import type { Explanation } from './explain-fix.js';
import { showTime } from './explain-text.js';

/** One step of the runbook: the change that mattered, how to make it, and how to see it worked. */
export interface RunbookStep {
  /** the check it fixes first, and the others the same change fixes */
  checks: { id: string; title: string; was: string; now: string }[];
  /** the fix the failing run printed */
  do: string[];
  /** the changes seen on the server where it worked */
  changes: string[];
  /** what the server or site answered afterwards */
  shows: string[];
}

export interface Runbook {
  host: string;
  from: string;
  to: string;
  steps: RunbookStep[];
  notNeeded: string[];
}

/**
 * The steps in the doctor's check order (its dependency order, the order that works). A check
 * whose changes an earlier step already made is folded into that step: one edit, one step.
 */
export function buildRunbook(explanation: Explanation, host: string): Runbook {
  const steps: RunbookStep[] = [];
  for (const check of explanation.fixed) {
    const entry = { id: check.id, title: check.title, was: check.was, now: check.now };
    const texts = check.changes.map((c) => c.text);
    const earlier = steps.find((s) => texts.length > 0 ? texts.every((t) => s.changes.includes(t)) : s.do.join('\n') === check.fix.join('\n') && check.fix.length > 0);
    if (earlier) {
      earlier.checks.push(entry);
      continue;
    }
    steps.push({
      checks: [entry],
      do: check.fix.length > 0 ? check.fix : texts,
      changes: texts,
      shows: check.observed.map((o) => o.text),
    });
  }
  return { host, from: explanation.before.at, to: explanation.after.at, steps, notNeeded: explanation.other.map((c) => c.text) };
}

const fence = (lines: string[]) => ['```sh', ...lines, '```'];

/** The runbook as Markdown, for the operator's own notes. */
export function runbookMarkdown(book: Runbook): string {
  const out = [
    '# kit-db-test: what made the doctor pass',
    '',
    `Seen on ${book.host}: the doctor failed at ${showTime(book.from)} and passed at ${showTime(book.to)}. The steps below are the changes that mattered, in the order the doctor checks them; run \`pnpm admin doctor\` after each.`,
    '',
  ];
  if (book.steps.length === 0) out.push('No check turned from failing to passing between these runs.', '');
  book.steps.forEach((step, n) => {
    const [first, ...also] = step.checks;
    out.push(`## ${n + 1}. ${first!.title}: ${first!.was}`, '');
    if (also.length > 0) out.push(`The same change fixes ${also.map((c) => `${c.title} (\`${c.id}\`)`).join(', ')}.`, '');
    out.push('Do:', '', ...fence(step.do), '');
    if (step.changes.length > 0) out.push('What changed where it worked:', '', ...step.changes.map((c) => `- ${c}`), '');
    out.push('It worked when:', '', ...step.checks.map((c) => `- \`${c.id}\`: ${c.now}`), ...step.shows.map((s) => `- ${s}`), '');
  });
  if (book.notNeeded.length > 0) out.push('## Not needed', '', 'Changed too, and fixed nothing:', '', ...book.notNeeded.map((c) => `- ${c}`), '');
  return out.join('\n');
}
