import type { Explanation } from './explain-fix.js';

/** "2026-12-01 23:20:01 UTC": a run's time as the report names it. */
export function showTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/**
 * The lines the doctor ends with after a passing run that follows failing ones: per fixed check,
 * in check order, the changes that explain it; then, briefly, the changes that made no difference.
 */
export function explanationLines(explanation: Explanation, heading = `What changed since the last failing run (${showTime(explanation.before.at)})`): string[] {
  const lines = [`${heading}:`];
  const shown = new Map<string, string>();
  for (const check of explanation.fixed) {
    lines.push(`  ${check.title} (${check.id}) passes now; it failed with: ${check.was}`);
    if (check.changes.length === 0) {
      const seen = check.observed.map((o) => o.text).join('; ');
      lines.push(`    nothing the doctor reads changed${seen ? `; what the server answered did: ${seen}` : ''} (a change it cannot see, e.g. ALTER ROLE … PASSWORD, or a restart)`);
    }
    for (const change of check.changes) {
      const first = shown.get(change.text);
      lines.push(first ? `    ${change.text} (as for ${first})` : `    ${change.text}`);
      if (!first) shown.set(change.text, check.id);
    }
  }
  if (explanation.fixed.length === 0) lines.push('  no check turned from failing to passing');
  if (explanation.other.length > 0) lines.push(`  Changed, and turned no check: ${explanation.other.map((c) => c.text).join('; ')}`);
  for (const b of explanation.broken) lines.push(`  ${b.title} (${b.id}) passed then, fails now: ${b.now}`);
  return lines;
}
