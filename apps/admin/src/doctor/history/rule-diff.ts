import type { RuleFact } from './run-record.js';

export interface RuleChange {
  kind: 'moved' | 'added' | 'removed';
  text: string;
  /** line in the earlier run (moved, removed) */
  from?: number;
  /** line in the later run (moved, added) */
  to?: number;
  /** the rule it now comes before, when that is what changed the order */
  above?: string;
}

/** Longest common subsequence of two lists of keys, as index pairs. */
function lcs(a: string[], b: string[]): [number, number][] {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
  }
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) pairs.push([i++, j++]);
    // On a tie the later list's rule is the one left out: reported as moved, it moved up, which is
    // what an operator does to make a line take effect.
    else if (table[i + 1]![j]! > table[i]![j + 1]!) i++;
    else j++;
  }
  return pairs;
}

// The same text twice is two rules: key each by its text and how often it came before.
function keyed(rules: RuleFact[]): string[] {
  const seen = new Map<string, number>();
  return rules.map((r) => {
    const n = seen.get(r.text) ?? 0;
    seen.set(r.text, n + 1);
    return `${n}\u0000${r.text}`;
  });
}

/**
 * What an operator did to the rule list: the rules outside the longest common order moved (when
 * in both), were added or removed. Lines that only shifted because of another edit are not changes.
 */
export function diffRules(before: RuleFact[], after: RuleFact[]): RuleChange[] {
  const ka = keyed(before);
  const kb = keyed(after);
  const kept = lcs(ka, kb);
  const keptA = new Set(kept.map(([i]) => i));
  const keptB = new Set(kept.map(([, j]) => j));
  const indexA = new Map(ka.map((k, i) => [k, i]));
  const indexB = new Map(kb.map((k, j) => [k, j]));
  const changes: RuleChange[] = [];
  kb.forEach((k, j) => {
    if (keptB.has(j)) return;
    const rule = after[j]!;
    const i = indexA.get(k);
    if (i === undefined) {
      const next = after[j + 1];
      changes.push({ kind: 'added', text: rule.text, to: rule.line, ...(next ? { above: next.text } : {}) });
      return;
    }
    // The rule it passed: the first one now below it that was above it before.
    const passed = kb.slice(j + 1).find((other) => (indexA.get(other) ?? Infinity) < i);
    changes.push({ kind: 'moved', text: rule.text, from: before[i]!.line, to: rule.line, ...(passed ? { above: passed.slice(passed.indexOf('\u0000') + 1) } : {}) });
  });
  ka.forEach((k, i) => {
    if (!keptA.has(i) && !indexB.has(k)) changes.push({ kind: 'removed', text: before[i]!.text, from: before[i]!.line });
  });
  return changes;
}
