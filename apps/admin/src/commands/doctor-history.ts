import { hostname } from 'node:os';
import { CliError, UsageError } from '../cli/cli-error.js';
import type { Output } from '../cli/output.js';
import { explainFix } from '../doctor/history/explain-fix.js';
import { explanationLines, showTime } from '../doctor/history/explain-text.js';
import { buildRunbook, runbookMarkdown } from '../doctor/history/runbook.js';
import { failed, type RunRecord } from '../doctor/history/run-record.js';
import { HistoryError, RunStore } from '../doctor/history/run-store.js';
import { stateDir } from '../doctor/history/state-dir.js';

export interface HistoryOptions {
  stateDir?: string;
  json?: boolean;
}

function runs(options: HistoryOptions): { dir: string; runs: RunRecord[] } {
  const dir = stateDir({ stateDir: options.stateDir, env: process.env, uid: process.getuid?.() ?? null });
  try {
    return { dir, runs: new RunStore(dir).list() };
  } catch (error) {
    if (error instanceof HistoryError) throw new CliError(error.message);
    throw error;
  }
}

function counts(run: RunRecord): Record<string, number> {
  const c: Record<string, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of run.checks) c[check.status] = (c[check.status] ?? 0) + 1;
  return c;
}

/** A run named on the command line: its number in `doctor history` or its id. */
function pick(all: RunRecord[], ref: string): RunRecord {
  const n = /^\d+$/.test(ref) ? Number(ref) : NaN;
  const found = Number.isInteger(n) ? all[n - 1] : all.find((r) => r.id === ref || `${r.id}.json` === ref);
  if (!found) throw new UsageError(`no run "${ref}": give its number or id from pnpm admin doctor history (${all.length} run(s) stored)`);
  return found;
}

/** The default pair: the last passing run, and the last failing run before it. */
function defaultPair(all: RunRecord[], dir: string): [RunRecord, RunRecord] {
  const lastPass = all.findLastIndex((r) => !failed(r));
  const lastFail = all.slice(0, Math.max(lastPass, 0)).findLastIndex((r) => failed(r));
  if (lastPass < 0 || lastFail < 0) {
    throw new CliError(`no failing run followed by a passing one in ${dir} (${all.length} run(s)): run pnpm admin doctor until it passes, or name two runs: pnpm admin doctor diff A B`);
  }
  return [all[lastFail]!, all[lastPass]!];
}

function pair(all: RunRecord[], dir: string, a?: string, b?: string): [RunRecord, RunRecord] {
  if (a === undefined) return defaultPair(all, dir);
  return [pick(all, a), b === undefined ? all.at(-1)! : pick(all, b)];
}

/** `pnpm admin doctor history`: the stored runs, oldest first, with their verdict counts. */
export function doctorHistoryCommand(options: HistoryOptions, io: Output): void {
  const { dir, runs: all } = runs(options);
  if (options.json) {
    io.out(JSON.stringify({ stateDir: dir, runs: all.map((r, i) => ({ n: i + 1, id: r.id, at: r.at, profile: r.profile, ok: !failed(r), counts: counts(r) })) }, null, 2));
    return;
  }
  if (all.length === 0) {
    io.out(`No doctor runs stored in ${dir}: pnpm admin doctor keeps one each time it runs (unless --no-history).`);
    return;
  }
  io.out(`Doctor runs in ${dir}:`);
  all.forEach((r, i) => {
    const c = counts(r);
    const verdict = failed(r) ? io.colors.red('problems') : io.colors.green('passed  ');
    io.out(`  ${String(i + 1).padStart(3)}  ${showTime(r.at)}  ${verdict}  ${c.pass} passed, ${c.warn} warnings, ${c.fail} failed, ${c.skip} skipped  (profile ${r.profile})`);
  });
}

/** `pnpm admin doctor diff [A] [B]`: what changed between two runs, and which change fixed which check. */
export function doctorDiffCommand(a: string | undefined, b: string | undefined, options: HistoryOptions, io: Output): void {
  const { dir, runs: all } = runs(options);
  const [before, after] = pair(all, dir, a, b);
  const explanation = explainFix(before, after);
  if (options.json) {
    io.out(JSON.stringify(explanation, null, 2));
    return;
  }
  const n = (r: RunRecord) => all.indexOf(r) + 1;
  for (const line of explanationLines(explanation, `From run ${n(before)} (${showTime(before.at)}, ${counts(before).fail} failed) to run ${n(after)} (${showTime(after.at)}, ${counts(after).fail} failed)`)) io.out(line);
}

/** `pnpm admin doctor runbook [A] [B]`: the changes that mattered as Markdown steps for the next server. */
export function doctorRunbookCommand(a: string | undefined, b: string | undefined, options: HistoryOptions, io: Output): void {
  const { dir, runs: all } = runs(options);
  const [before, after] = pair(all, dir, a, b);
  const book = buildRunbook(explainFix(before, after), after.host || hostname());
  io.out(options.json ? JSON.stringify(book, null, 2) : runbookMarkdown(book));
}
