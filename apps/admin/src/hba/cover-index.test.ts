import { describe, expect, it } from 'vitest';
import { CoverIndex } from './cover-index.js';
import { covers } from './covers.js';
import { lintHba } from './lint.js';
import { parseHba } from './parse.js';
import type { HbaRule } from './types.js';

/** A fixed pseudo-random sequence, so that the corpus is the same on every run. */
function sequence(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

const TYPES = ['local', 'host', 'hostssl', 'hostnossl', 'hostgssenc', 'hostnogssenc'];
const DATABASES = ['all', 'sameuser', 'samerole', 'samegroup', 'replication', '"all"', 'kdt', 'app', '/^kdt', '"kdt"', 'kdt,app', 'app,"sameuser"'];
const USERS = ['all', 'kdt', '+ops', '"+ops"', 'ops', '/^k', '"all"', 'kdt,ops', 'u1,+ops'];
const ADDRESSES = ['all', 'samehost', 'samenet', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.3/32', '10.1.2.0 255.255.0.255', '::1/128', '::/0', '.example.org', 'db.example.org', 'a.db.example.org'];

function corpus(lines: number, seed: number): string {
  const pick = sequence(seed);
  const from = (list: string[]) => list[pick(list.length)]!;
  return Array.from({ length: lines }, () => {
    const type = from(TYPES);
    const address = type === 'local' ? '' : ` ${from(ADDRESSES)}`;
    return `${type} ${from(DATABASES)} ${from(USERS)}${address} ${from(['trust', 'scram-sha-256', 'reject'])}`;
  }).join('\n');
}

/** The first earlier line that covers each line, found by trying every earlier line. */
function naive(rules: HbaRule[]): (HbaRule | undefined)[] {
  return rules.map((rule, i) => rules.slice(0, i).find((earlier) => covers(earlier, rule)));
}

function indexed(rules: HbaRule[]): (HbaRule | undefined)[] {
  const index = new CoverIndex();
  return rules.map((rule) => {
    const found = index.firstCovering(rule);
    index.add(rule);
    return found;
  });
}

describe('CoverIndex', () => {
  it.each([
    [1, 'on'],
    [2, 'on'],
    [3, 'off'],
  ] as const)('finds the same first covering line as trying every earlier one (corpus %i, ssl %s)', (seed, ssl) => {
    const hba = parseHba(corpus(600, seed), { file: '/pg/pg_hba.conf', serverMajor: 18, ssl });
    expect(hba.invalid).toEqual([]);
    const expected = naive(hba.rules);
    // The corpus exercises the index: many lines are shadowed, by many different earlier lines.
    expect(expected.filter(Boolean).length).toBeGreaterThan(200);
    expect(new Set(expected.filter(Boolean)).size).toBeGreaterThan(20);
    expect(indexed(hba.rules)).toEqual(expected);
  });

  it('lints a 20 000-line file: every line it hides is found, and only those', { timeout: 120_000 }, () => {
    const lines = ['host all all 192.168.0.0/16 scram-sha-256'];
    const hidden: number[] = [];
    for (let i = 1; i < 20_000; i++) {
      if (i % 1000 === 0) {
        lines.push(`host db${i} u${i} 192.168.${i >> 8}.${i & 255}/32 scram-sha-256`);
        hidden.push(i + 1);
      } else {
        lines.push(`host db${i} u${i},all 10.${i >> 8}.${i & 255}.1/32 scram-sha-256`);
      }
    }
    const hba = parseHba(lines.join('\n'), { file: '/pg/pg_hba.conf', serverMajor: 18 });
    const findings = lintHba(hba);
    expect(findings.map((f) => [f.line, f.code])).toEqual(hidden.map((line) => [line, 'unreachable-line']));
    expect(findings[0]!.message).toBe(
      'line 1001 `host db1000 u1000 192.168.3.232/32 scram-sha-256` can never match: line 1 `host all all 192.168.0.0/16 scram-sha-256` takes every connection it would; move line 1001 above line 1',
    );
  });
});
