import { describe, expect, it } from 'vitest';
import { compileNameRegex, RegexBudget } from './name-regex.js';

function compile(source: string) {
  const c = compileNameRegex(source, new RegexBudget());
  if ('error' in c) throw new Error(c.error);
  return c.regex;
}

function test(source: string, name: string): boolean | null {
  return compile(source).test(name);
}

describe('compileNameRegex', () => {
  it('matches anywhere unless anchored, with POSIX classes and ARE escapes', () => {
    expect(test('app', 'kdt_app_1')).toBe(true);
    expect(test('^app', 'kdt_app')).toBe(false);
    expect(test('^[[:alpha:]_]+$', 'kdt_app')).toBe(true);
    expect(test('\\mapp\\M', 'the app here')).toBe(true);
    expect(test('\\mapp\\M', 'the apps here')).toBe(false);
    expect(test('(?i)KDT', 'kdt')).toBe(true);
    expect(test('a{', 'xa{')).toBe(true);
    expect(test('^\\x6b\\u0064t\\.$', 'kdt.')).toBe(true);
    expect(test('***=a.b', 'xa.b')).toBe(true);
    expect(test('***=a.b', 'axb')).toBe(false);
  });

  it('reads \\s, \\d and \\w as ASCII, as the server does under the C collation', () => {
    expect(test('^\\s$', '\v')).toBe(true);
    expect(test('^\\s$', '\u00a0')).toBe(false);
    expect(test('^\\w+$', 'kdté')).toBe(false);
    expect(test('^[\\d]+$', '٣')).toBe(false);
  });

  it('runs a nested quantifier on a long name in a linear-time engine, and answers', () => {
    const regex = compile('^(a+)+$');
    expect(regex.engine).toBe('linear');
    expect(regex.test(`${'a'.repeat(62)}!`)).toBe(false);
    expect(regex.test('a'.repeat(63))).toBe(true);
  });

  it('stops a backtracking evaluation (back-references) at its time limit and says it did not answer', () => {
    const regex = compile('^(a+)+\\1$');
    expect(regex.engine).toBe('bounded');
    expect(regex.test('aaaa')).toBe(true);
    expect(regex.test(`${'a'.repeat(62)}!`)).toBeNull();
    // A benign lookahead still answers.
    expect(compile('^kdt(?!_ops)').test('kdt_app')).toBe(true);
  });

  it('stops every bounded evaluation once the file budget is spent', () => {
    const budget = new RegexBudget(50, 80);
    const compiled = ['^(a+)+\\1$', '^(b+)+\\1$', '^(a)\\1$'].map((s) => compileNameRegex(s, budget));
    const [first, second, benign] = compiled.map((c) => ('regex' in c ? c.regex : undefined));
    expect(benign!.test('aa')).toBe(true);
    expect([first!.test(`${'a'.repeat(40)}!`), second!.test(`${'b'.repeat(40)}!`)]).toEqual([null, null]);
    // Spent: not even a cheap evaluation runs any more.
    expect(benign!.test('bb')).toBeNull();
  });

  it('words errors as PostgreSQL does', () => {
    expect(['(', '[a', '*', 'a**', 'a{2', 'a\\', '\\q', '[[:foo:]]', 'a)'].map((s) => compileNameRegex(s, new RegexBudget()))).toEqual([
      { error: 'parentheses () not balanced' },
      { error: 'brackets [] not balanced' },
      { error: 'quantifier operand invalid' },
      { error: 'quantifier operand invalid' },
      { error: 'braces {} not balanced' },
      { error: 'invalid escape \\ sequence' },
      { error: 'invalid escape \\ sequence' },
      { error: 'invalid character class' },
      { error: 'parentheses () not balanced' },
    ]);
  });
});
