import { describe, expect, it } from 'vitest';
import { splitLogicalLines, tokenizeLine } from './tokenize.js';

const texts = (line: string) => tokenizeLine(line).fields.map((f) => f.map((t) => (t.quoted ? `"${t.text}"` : t.text)));

describe('splitLogicalLines', () => {
  it('joins lines ending with a backslash and keeps the first line number', () => {
    expect(splitLogicalLines('a \\\n b\nc\r\n\nd')).toEqual([
      { line: 1, text: 'a  b' },
      { line: 3, text: 'c' },
      { line: 4, text: '' },
      { line: 5, text: 'd' },
    ]);
  });

  it('stops a continuation at an empty line after a doubled backslash', () => {
    expect(splitLogicalLines('local a\\\\\n\nx')).toEqual([
      { line: 1, text: 'local a\\' },
      { line: 3, text: 'x' },
    ]);
  });
});

describe('tokenizeLine', () => {
  it('splits fields on blanks and lists on commas, spaces after commas allowed', () => {
    expect(texts('local  a, b,,c\tall trust')).toEqual([['local'], ['a', 'b', 'c'], ['all'], ['trust']]);
  });

  it('remembers quotes that open a token, and reads doubled quotes as one', () => {
    expect(texts('"all" a"b c"d "a""b" al"l" ""')).toEqual([['"all"'], ['ab cd'], ['"a"b"'], ['all'], ['""']]);
  });

  it('ends the line at an unquoted #', () => {
    expect(texts('local "a#b" all trust # comment')).toEqual([['local'], ['"a#b"'], ['all'], ['trust']]);
  });

  it('expands unquoted @file tokens and drops a field that expands to nothing', () => {
    const expand = (name: string) => (name === 'empty' ? { tokens: [] } : { tokens: [{ text: `${name}1`, quoted: false }] });
    const line = tokenizeLine('local @x,y "@q" @empty @ trust', expand);
    expect(line.fields.map((f) => f.map((t) => t.text))).toEqual([['local'], ['x1', 'y'], ['@q'], ['@'], ['trust']]);
  });

  it('stops at the first @file error', () => {
    expect(tokenizeLine('local @a b', () => ({ error: 'no file' }))).toEqual({ fields: [[{ text: 'local', quoted: false }]], error: 'no file' });
  });

  it('refuses a token longer than the limit given', () => {
    expect(tokenizeLine(`local ${'x'.repeat(20)}`, undefined, 10).error).toBe('authentication file token too long');
  });
});
