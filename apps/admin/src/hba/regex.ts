/**
 * PostgreSQL's regular expressions (Spencer's ARE, as in `~`) for `/regex` database and user names
 * (PG16+), translated to JavaScript RegExp. Errors use the server's wording for the common
 * mistakes (unbalanced parentheses, brackets, braces, a quantifier without operand, an unknown
 * escape or character class). Locale-dependent classes use ASCII, as the server's C collation does.
 */

export type CompiledRegex = { regex: RegExp } | { error: string };

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

class AreError extends Error {}

function escapeForClass(c: string): string {
  return /[\\\]\[^-]/.test(c) ? `\\${c}` : c;
}

/** Translates one escape at `src[i]` (after the backslash); returns the JS text and the next index. */
function translateEscape(src: string, i: number, inBracket: boolean): [string, number] {
  const c = src[i];
  if (c === undefined) throw new AreError('invalid escape \\ sequence');
  if (!/[0-9A-Za-z]/.test(c)) {
    if ('^$\\.*+?()[]{}|/'.includes(c) || (inBracket && c === '-')) return [`\\${c}`, i + 1];
    return [c, i + 1];
  }
  if (c in CHARACTER_ESCAPES) return [CHARACTER_ESCAPES[c]!, i + 1];
  if ('dswDSW'.includes(c)) return [`\\${c}`, i + 1];
  if (c === 'c') {
    const x = src[i + 1];
    if (x === undefined) throw new AreError('invalid escape \\ sequence');
    return [`\\x${(x.charCodeAt(0) & 0x1f).toString(16).padStart(2, '0')}`, i + 2];
  }
  if (c === 'x' || c === 'u' || c === 'U') {
    const max = c === 'x' ? 8 : c === 'u' ? 4 : 8;
    const m = new RegExp(`^[0-9A-Fa-f]{1,${max}}`).exec(src.slice(i + 1));
    if (!m) throw new AreError('invalid escape \\ sequence');
    return [`\\u{${parseInt(m[0], 16).toString(16)}}`, i + 1 + m[0].length];
  }
  if (!inBracket) {
    if (c === 'A') return ['^', i + 1];
    if (c === 'Z') return ['$', i + 1];
    if (c === 'm') return ['\\b(?=\\w)', i + 1];
    if (c === 'M') return ['\\b(?<=\\w)', i + 1];
    if (c === 'y') return ['\\b', i + 1];
    if (c === 'Y') return ['\\B', i + 1];
    if (/[1-9]/.test(c)) return [`\\${c}`, i + 1];
  }
  if (c === '0') {
    const m = /^[0-7]{0,2}/.exec(src.slice(i + 1))!;
    return [`\\u{${parseInt(`0${m[0]}`, 8).toString(16)}}`, i + 1 + m[0].length];
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
      const [js, next] = translateEscape(src, i + 1, true);
      out += js;
      i = next;
      continue;
    }
    out += escapeForClass(c) === '\\-' ? '-' : escapeForClass(c);
    i++;
  }
}

/** Compiles the text after the slash of a `/regex` token. */
export function compileAre(source: string): CompiledRegex {
  let src = source;
  let flags = 's';
  if (src.startsWith('***=')) return { regex: new RegExp(src.slice(4).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 's') };
  if (src.startsWith('***:')) src = src.slice(4);
  const embedded = /^\(\?([bceimnpqstwx]+)\)/.exec(src);
  if (embedded) {
    if (embedded[1]!.includes('i')) flags += 'i';
    src = src.slice(embedded[0].length);
  }
  try {
    let out = '';
    let depth = 0;
    // Whether a quantifier here has something to repeat.
    let operand = false;
    let i = 0;
    while (i < src.length) {
      const c = src[i]!;
      if (c === '\\') {
        const [js, next] = translateEscape(src, i + 1, false);
        out += js;
        operand = !['^', '$', '\\b', '\\B', '\\b(?=\\w)', '\\b(?<=\\w)'].includes(js);
        i = next;
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
        out += m ? m[0] : '(';
        i += m ? m[0].length : 1;
        depth++;
        operand = false;
      } else if (c === ')') {
        if (depth === 0) throw new AreError('parentheses () not balanced');
        depth--;
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
        out += /[.]/.test(c) ? c : c.replace(/[\]}/]/, '\\$&');
        operand = true;
        i++;
      }
    }
    if (depth !== 0) throw new AreError('parentheses () not balanced');
    return { regex: new RegExp(out, `${flags}u`) };
  } catch (error) {
    if (error instanceof AreError) return { error: error.message };
    return { error: (error as Error).message };
  }
}
