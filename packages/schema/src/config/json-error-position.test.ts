import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, positionOf } from './json-error-position.js';

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('jsonErrorOffset', () => {
  it.each([
    ['{"url": "sqlite:x", "pool": {"max": 3}, "list": [1, -2.5e3, true, false, null, "\\u00e9\\n"]}', -1],
    ['  {}\n', -1],
    ['hunter2', 0],
    ['{"url": hunter2}', 8],
    ['{\n  "url": ', 11],
    ['{"a": 1,}', 8],
    ['{"a": 01}', 7],
    ['{"a": "x\ty"}', 8],
    ['{"a": "\\x"}', 8],
    ['{} trailing', 3],
    ['\ufeff{}', 0],
    ['', 0],
  ])('agrees with JSON.parse on %j and says where it fails', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
    expect(offset === -1).toBe(parses(text));
  });
});

describe('positionOf', () => {
  it('counts lines and columns from 1, for any line ending', () => {
    expect(positionOf('abc', 0)).toEqual({ line: 1, column: 1 });
    expect(positionOf('{\n  "url": ', 11)).toEqual({ line: 2, column: 10 });
    expect(positionOf('a\r\nb\rc', 5)).toEqual({ line: 3, column: 1 });
  });
});
