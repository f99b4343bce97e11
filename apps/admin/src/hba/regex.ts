/**
 * PostgreSQL's regular expressions (Spencer's ARE, as in `~`) for `/regex` database and user names
 * (PG16+), translated to one pattern text that both RE2's syntax (re2js, linear time) and
 * JavaScript's RegExp read alike. Errors use the server's wording for the common mistakes
 * (unbalanced parentheses, brackets, braces, a quantifier without operand, an unknown escape or
 * character class). Classes and escapes are ASCII, as under the C collation the server compiles
 * pg_hba.conf regexes with.
 */

/** An ARE in the common syntax, and what evaluating it needs. */
export interface TranslatedAre {
  pattern: string;
  ignoreCase: boolean;
  /**
   * False when it uses lookahead constraints or back-references, which no linear-time engine
   * has: then only a backtracking engine (under a time limit) can evaluate it.
   */
  linear: boolean;
}

export type TranslateResult = TranslatedAre | { error: string };

const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  upper: 'A-Z',
  lower: 'a-z',
  digit: '0-9',
  xdigit: '0-9A-Fa-f',
  alnum: '0-9a-zA-Z',
  word: '0-9a-zA-Z_',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~',
  graph: '!-~',
  ascii: '\\x00-\\x7f',
};

/** `\d`, `\s`, `\w` as the server's C collation has them (JavaScript's `\s` is Unicode, RE2's lacks `\v`). */
const CLASS_ESCAPES: Record<string, string> = { d: CLASSES.digit!, s: CLASSES.space!, w: CLASSES.word! };

const CHARACTER_ESCAPES: Record<string, string> = {
  a: '\\x07',
  b: '\\x08',
  B: '\\\\',
  e: '\\x1b',
  f: '\\f',
  n: '\\n',
  r: '\\r',
  t: '\\t',
  v: '\\v',
};

const WORD = '[0-9A-Za-z_]';

class AreError extends Error {}

/** What an escape stands for: a character or class, a zero-width constraint, a back-reference. */
type EscapeKind = 'atom' | 'constraint' | 'backref';

interface Escape {
  text: string;
  next: number;
  kind: EscapeKind;
}

const SPECIAL = '^$\\.*+?()[]{}|/';

function escapeForClass(c: string): string {
  return /[\\\]\[^-]/.test(c) ? `\\${c}` : c;
}

/** One code point as pattern text both syntaxes read as that character. */
function literal(cp: number, inBracket: boolean): string {
  // The server accepts these but no name can hold them: refused here rather than mistranslated.
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new AreError('invalid escape \\ sequence');
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, '0')}`;
  const c = String.fromCodePoint(cp);
  if (inBracket) return escapeForClass(c);
  return SPECIAL.includes(c) ? `\\${c}` : c;
}

/** Translates one escape at `src[i]` (after the backslash). */
function translateEscape(src: string, i: number, inBracket: boolean): Escape {
  const c = src[i];
  const atom = (text: string, next = i + 1): Escape => ({ text, next, kind: 'atom' });
  if (c === undefined) throw new AreError('invalid escape \\ sequence');
  if (!/[0-9A-Za-z]/.test(c)) {
    if (SPECIAL.includes(c) || (inBracket && c === '-')) return atom(`\\${c}`);
    return atom(c);
  }
  if (c in CHARACTER_ESCAPES) return atom(CHARACTER_ESCAPES[c]!);
  const lower = c.toLowerCase();
  if ('dsw'.includes(lower)) {
    const set = CLASS_ESCAPES[lower]!;
    if (c === lower) return atom(inBracket ? set : `[${set}]`);
    return atom(inBracket ? `\\${c}` : `[^${set}]`);
  }
  if (c === 'c') {
    const x = src[i + 1];
    if (x === undefined) throw new AreError('invalid escape \\ sequence');
    return atom(literal(x.charCodeAt(0) & 0x1f, inBracket), i + 2);
  }
  if (c === 'x' || c === 'u' || c === 'U') {
    const max = c === 'u' ? 4 : 8;
    const m = new RegExp(`^[0-9A-Fa-f]{1,${max}}`).exec(src.slice(i + 1));
    if (!m) throw new AreError('invalid escape \\ sequence');
    return atom(literal(parseInt(m[0], 16), inBracket), i + 1 + m[0].length);
  }
  if (!inBracket) {
    const constraint = (text: string): Escape => ({ text, next: i + 1, kind: 'constraint' });
    if (c === 'A') return constraint('^');
    if (c === 'Z') return constraint('$');
    // Start and end of a word, with a lookbehind (linear in re2js) instead of a lookahead.
    if (c === 'm') return constraint(`(?<!${WORD})\\b`);
    if (c === 'M') return constraint(`(?<=${WORD})\\b`);
    if (c === 'y') return constraint('\\b');
    if (c === 'Y') return constraint('\\B');
    if (/[1-9]/.test(c)) return { text: `\\${c}`, next: i + 1, kind: 'backref' };
  }
  if (c === '0') {
    const m = /^[0-7]{0,2}/.exec(src.slice(i + 1))!;
    return atom(literal(parseInt(`0${m[0]}`, 8), inBracket), i + 1 + m[0].length);
  }
  throw new AreError('invalid escape \\ sequence');
}

function translateBracket(src: string, start: number): [string, number] {
  let i = start + 1;
  let out = '[';
  if (src[i] === '^') {
    out += '^';
    i++;
  }
  let first = true;
  for (;;) {
    const c = src[i];
    if (c === undefined) throw new AreError('brackets [] not balanced');
    if (c === ']' && !first) return [`${out}]`, i + 1];
    first = false;
    if (c === '[' && (src[i + 1] === ':' || src[i + 1] === '.' || src[i + 1] === '=')) {
      const kind = src[i + 1]!;
      const end = src.indexOf(`${kind}]`, i + 2);
      if (end < 0) throw new AreError('brackets [] not balanced');
      const name = src.slice(i + 2, end);
      if (kind === ':') {
        const cls = CLASSES[name];
        if (cls === undefined) throw new AreError('invalid character class');
        out += cls;
      } else {
        if ([...name].length !== 1) throw new AreError('invalid collating element');
        out += escapeForClass(name);
      }
      i = end + 2;
      continue;
    }
    if (c === '\\') {
      const escape = translateEscape(src, i + 1, true);
      out += escape.text;
      i = escape.next;
      continue;
    }
    out += escapeForClass(c) === '\\-' ? '-' : escapeForClass(c);
    i++;
  }
}

function quote(text: string): string {
  return [...text].map((c) => literal(c.codePointAt(0)!, false)).join('');
}

/** Translates the text after the slash of a `/regex` token. */
export function translateAre(source: string): TranslateResult {
  let src = source;
  let ignoreCase = false;
  if (src.startsWith('***=')) return { pattern: quote(src.slice(4)), ignoreCase, linear: true };
  if (src.startsWith('***:')) src = src.slice(4);
  const embedded = /^\(\?([bceimnpqstwx]+)\)/.exec(src);
  if (embedded) {
    // The last of c (case-sensitive) and i wins; q makes the rest a literal string.
    for (const option of embedded[1]!) {
      if (option === 'i') ignoreCase = true;
      if (option === 'c') ignoreCase = false;
    }
    src = src.slice(embedded[0].length);
    if (embedded[1]!.includes('q')) return { pattern: quote(src), ignoreCase, linear: true };
  }
  try {
    let out = '';
    let linear = true;
    // Open groups; inside a lookaround constraint parentheses do not capture (as in the server).
    const groups: ('group' | 'lookaround')[] = [];
    // Whether a quantifier here has something to repeat.
    let operand = false;
    let i = 0;
    while (i < src.length) {
      const c = src[i]!;
      if (c === '\\') {
        const escape = translateEscape(src, i + 1, false);
        out += escape.text;
        operand = escape.kind !== 'constraint';
        if (escape.kind === 'backref') linear = false;
        i = escape.next;
      } else if (c === '[') {
        const [js, next] = translateBracket(src, i);
        out += js;
        operand = true;
        i = next;
      } else if (c === '(') {
        const m = /^\(\?(:|=|!|<=|<!|#[^)]*\))/.exec(src.slice(i));
        if (m && m[1]!.startsWith('#')) {
          i += m[0].length;
          continue;
        }
        const inLookaround = groups.includes('lookaround');
        const lookaround = m !== null && m[1] !== ':';
        if (m?.[1] === '=' || m?.[1] === '!') linear = false;
        out += m ? m[0] : inLookaround ? '(?:' : '(';
        i += m ? m[0].length : 1;
        groups.push(lookaround ? 'lookaround' : 'group');
        operand = false;
      } else if (c === ')') {
        if (groups.length === 0) throw new AreError('parentheses () not balanced');
        groups.pop();
        out += ')';
        operand = true;
        i++;
      } else if (c === '*' || c === '+' || c === '?') {
        if (!operand) throw new AreError('quantifier operand invalid');
        out += c;
        i++;
        if (src[i] === '?') {
          out += '?';
          i++;
        }
        operand = false;
      } else if (c === '{') {
        const m = /^\{(\d*)(,?)(\d*)(\}?)/.exec(src.slice(i))!;
        if (!/\d/.test(src[i + 1] ?? '')) {
          // Not a bound: a literal brace.
          out += '\\{';
          operand = true;
          i++;
          continue;
        }
        if (!operand) throw new AreError('quantifier operand invalid');
        if (m[4] !== '}') throw new AreError('braces {} not balanced');
        const lo = Number(m[1]);
        const hi = m[3] === '' ? (m[2] ? Infinity : lo) : Number(m[3]);
        if (lo > 255 || (hi !== Infinity && (hi > 255 || hi < lo))) throw new AreError('invalid repetition count(s)');
        out += m[0];
        i += m[0].length;
        if (src[i] === '?') {
          out += '?';
          i++;
        }
        operand = false;
      } else if (c === '|') {
        out += '|';
        operand = false;
        i++;
      } else if (c === '^' || c === '$') {
        out += c;
        operand = false;
        i++;
      } else {
        const cp = src.codePointAt(i)!;
        out += c === '.' ? c : literal(cp, false);
        operand = true;
        i += cp > 0xffff ? 2 : 1;
      }
    }
    if (groups.length !== 0) throw new AreError('parentheses () not balanced');
    return { pattern: out, ignoreCase, linear };
  } catch (error) {
    if (error instanceof AreError) return { error: error.message };
    throw error;
  }
}
