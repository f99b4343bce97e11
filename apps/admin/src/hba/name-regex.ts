import { createContext, Script, type Context } from 'node:vm';
import { RE2JS } from 're2js';
import { translateAre } from './regex.js';
import type { HbaRegex } from './types.js';

/** The words every answer uses for a regex whose evaluation was stopped. */
export const TOO_COSTLY = 'not evaluated: regex too costly';

/**
 * How long backtracking evaluations of one file's regexes may run: each one, and all together
 * (so that a file full of costly regexes still ends in bounded time).
 */
export class RegexBudget {
  readonly perTestMs: number;
  readonly totalMs: number;
  spentMs = 0;
  constructor(perTestMs = 100, totalMs = 1000) {
    this.perTestMs = perTestMs;
    this.totalMs = totalMs;
  }
}

export type CompiledNameRegex = { regex: HbaRegex } | { error: string };

// One realm for bounded runs, made on first use: vm's timeout interrupts a RegExp in the middle
// of its backtracking, which no timer in this thread could.
let bounded: { realm: Context; run: Script } | undefined;

/** Backtracking evaluation (the server's lookahead and back-references), stopped after the budget. */
function boundedTest(re: RegExp, budget: RegexBudget): (name: string) => boolean | null {
  const answers = new Map<string, boolean | null>();
  return (name) => {
    const known = answers.get(name);
    if (known !== undefined) return known;
    const left = Math.min(budget.perTestMs, budget.totalMs - budget.spentMs);
    let answer: boolean | null = null;
    if (left >= 1) {
      bounded ??= { realm: createContext({}), run: new Script('re.test(input)') };
      bounded.realm.re = re;
      bounded.realm.input = name;
      const start = performance.now();
      try {
        answer = bounded.run.runInContext(bounded.realm, { timeout: Math.floor(left) }) === true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
      } finally {
        budget.spentMs += performance.now() - start;
      }
    }
    answers.set(name, answer);
    return answer;
  };
}

/**
 * Compiles the text after the slash of a `/regex` token. A pattern a linear-time engine can run
 * (re2js: no backtracking, so a hostile pattern answers at once as the server's does) runs there;
 * one with lookahead constraints or back-references runs as a JavaScript RegExp under `budget`,
 * and `test` answers null when it was stopped.
 */
export function compileNameRegex(source: string, budget: RegexBudget): CompiledNameRegex {
  const translated = translateAre(source);
  if ('error' in translated) return translated;
  let re: RegExp;
  try {
    re = new RegExp(translated.pattern, translated.ignoreCase ? 'siu' : 'su');
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (translated.linear) {
    try {
      const flags = RE2JS.DOTALL | RE2JS.LOOKBEHINDS | (translated.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
      const linear = RE2JS.compile(translated.pattern, flags);
      return { regex: { source, engine: 'linear', test: (name) => linear.test(name) } };
    } catch {
      // Beyond re2js's limits (nested repetition counts): the bounded engine takes it.
    }
  }
  return { regex: { source, engine: 'bounded', test: boundedTest(re, budget) } };
}
