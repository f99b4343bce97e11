import { describe, expect, it } from 'vitest';
import { compileAre } from './regex.js';

function test(source: string, name: string): boolean {
  const c = compileAre(source);
  if ('error' in c) throw new Error(c.error);
  return c.regex.test(name);
}

describe('compileAre', () => {
  it('matches anywhere unless anchored, with POSIX classes and ARE escapes', () => {
    expect(test('app', 'kdt_app_1')).toBe(true);
    expect(test('^app', 'kdt_app')).toBe(false);
    expect(test('^[[:alpha:]_]+$', 'kdt_app')).toBe(true);
    expect(test('\\mapp\\M', 'the app here')).toBe(true);
    expect(test('(?i)KDT', 'kdt')).toBe(true);
    expect(test('a{', 'xa{')).toBe(true);
  });

  it('words errors as PostgreSQL does', () => {
    expect(['(', '[a', '*', 'a**', 'a{2', 'a\\', '\\q', '[[:foo:]]', 'a)'].map((s) => compileAre(s))).toEqual([
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
