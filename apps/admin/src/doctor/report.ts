import type { Colors } from '../cli/output.js';
import type { CheckResult, CheckStatus } from './types.js';

const MARKS: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };

function paint(colors: Colors, status: CheckStatus, text: string): string {
  switch (status) {
    case 'pass':
      return colors.green(text);
    case 'warn':
      return colors.yellow(text);
    case 'fail':
      return colors.red(text);
    case 'skip':
      return colors.dim(text);
  }
}

/** One check as the lines flutter doctor would print: `[✓] Title: summary`, then why and fix under a warn or fail. */
export function formatResult(result: CheckResult, colors: Colors, verbose = false): string[] {
  const time = verbose && result.ms !== undefined ? colors.dim(` (${result.ms} ms)`) : '';
  const lines = [`${paint(colors, result.status, `[${MARKS[result.status]}]`)} ${colors.bold(result.title)}: ${result.summary}${time}`];
  const detailed = result.status === 'warn' || result.status === 'fail' || verbose;
  if (detailed) {
    for (const e of result.evidence) lines.push(`      ${colors.dim('why:')} ${e}`);
    for (const f of result.fix) lines.push(`      ${colors.cyan('fix:')} ${f}`);
  }
  if (verbose && result.stack) for (const line of result.stack.split('\n')) lines.push(`      ${colors.dim(line.trim())}`);
  return lines;
}

export function countStatuses(results: CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status] += 1;
  return counts;
}

/** The closing line: how many of each status. */
export function closingLine(results: CheckResult[], colors: Colors): string {
  const c = countStatuses(results);
  const parts = [`${c.pass} passed`, `${c.warn} warning${c.warn === 1 ? '' : 's'}`, `${c.fail} failed`, `${c.skip} skipped`];
  const verdict = c.fail > 0 ? colors.red('Doctor found problems') : c.warn > 0 ? colors.yellow('Doctor found warnings') : colors.green('No issues found');
  return `${verdict}: ${parts.join(', ')}.`;
}
