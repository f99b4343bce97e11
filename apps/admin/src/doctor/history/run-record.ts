import type { CheckStatus } from '../types.js';

/** One pg_hba.conf rule as the snapshot keeps it: its line and its text, whitespace collapsed. */
export interface RuleFact {
  line: number;
  text: string;
}

/**
 * One fact the doctor saw. null: not readable this run (no session, not root), which is never
 * reported as a change: the operator did not make it.
 */
export type FactValue = string | string[] | RuleFact[] | null;

export type Facts = Record<string, FactValue>;

/** A check's verdict as the history keeps it (no evidence: the facts hold what it rests on). */
export interface VerdictRecord {
  id: string;
  title: string;
  status: CheckStatus;
  summary: string;
  fix: string[];
}

/** One doctor run, as stored in the state folder. */
export interface RunRecord {
  version: 1;
  /** file name without .json, sortable by time */
  id: string;
  /** ISO time */
  at: string;
  host: string;
  profile: string | null;
  ok: boolean;
  checks: VerdictRecord[];
  facts: Facts;
}

export const RECORD_VERSION = 1;

/** Facts that are what the server or the site answered, not something an operator sets. */
export const OBSERVED_PREFIXES = ['pg.login', 'pg.hba.decides', 'site.answered', 'site.public'];

export const isObserved = (key: string) => OBSERVED_PREFIXES.some((p) => key === p || key.startsWith(`${p}.`));

export const failed = (run: RunRecord) => run.checks.some((c) => c.status === 'fail');
