/** Where in a text JSON.parse gave up, as an editor counts: line and column from 1. */
export interface TextPosition {
  line: number;
  column: number;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/**
 * The offset of the first character that is not valid JSON (the text's length when it ends too
 * early), or -1 for valid JSON. V8's own message quotes the text instead of saying where, and a
 * file that is not JSON may well be a secret.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const skip = () => {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) throw i;
      i++;
    }
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) throw i;
      const ch = text.charCodeAt(i);
      if (ch === 0x22) return void i++;
      if (ch < 0x20) throw i;
      if (ch === 0x5c) {
        i++;
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9A-Fa-f]/.test(text[i + k] ?? '')) throw i + k;
          i += 5;
        } else if (i < text.length && '"\\/bfnrt'.includes(text[i]!)) {
          i++;
        } else {
          throw i;
        }
      } else {
        i++;
      }
    }
  };
  const number = () => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) throw i;
    i += match[0].length;
  };
  const value = (): void => {
    skip();
    const ch = text[i];
    if (ch === '{') return members('}', () => {
      skip();
      if (text[i] !== '"') throw i;
      string();
      skip();
      if (text[i] !== ':') throw i;
      i++;
      value();
    });
    if (ch === '[') return members(']', value);
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    throw i;
  };
  const members = (close: string, member: () => void) => {
    i++;
    skip();
    if (text[i] === close) return void i++;
    for (;;) {
      member();
      skip();
      if (text[i] === close) return void i++;
      if (text[i] !== ',') throw i;
      i++;
    }
  };
  try {
    value();
    skip();
    return i < text.length ? i : -1;
  } catch (offset) {
    return Math.min(offset as number, text.length);
  }
}

/** Line and column (from 1) of an offset in a text. */
export function positionOf(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: before.length, column: before.at(-1)!.length + 1 };
}
