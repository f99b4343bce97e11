import type { HbaToken } from './types.js';

/** A record of the file: physical lines joined where a line ends with a backslash. */
export interface LogicalLine {
  /** 1-based number of the record's first physical line */
  line: number;
  /** The record's text without line ends and continuation backslashes. */
  text: string;
}

/**
 * Up to PostgreSQL 16 the server reads tokens into a fixed buffer (MAX_TOKEN, 10240 bytes, one
 * kept for the terminator) and refuses a longer one; 17+ has no limit.
 */
export function maxTokenBytes(serverMajor: number): number {
  return serverMajor <= 16 ? 10239 : Infinity;
}

/** Blank as the server sees it: space, tab and carriage return (pg_isblank). */
export function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r';
}

/**
 * Splits file text into records as the server's reader does (PostgreSQL 14+, so 15 to 18 alike):
 * each physical line loses its trailing CR/LF; a record continues while its text ends with a
 * backslash that was not there before the last continuation (so `a\\` then an empty line stops).
 */
export function splitLogicalLines(text: string): LogicalLine[] {
  const physical = text.split('\n');
  // A final newline does not start one more line.
  if (physical.length > 0 && physical[physical.length - 1] === '' && text.endsWith('\n')) physical.pop();
  if (text === '') physical.length = 0;

  const records: LogicalLine[] = [];
  let lineNumber = 1;
  let i = 0;
  while (i < physical.length) {
    let buf = '';
    let lastBackslashLen = 0;
    let continuations = 0;
    while (i < physical.length) {
      buf = stripCrLf(buf + (physical[i] ?? ''));
      i++;
      if (buf.length > lastBackslashLen && buf.endsWith('\\')) {
        buf = buf.slice(0, -1);
        lastBackslashLen = buf.length;
        continuations++;
        continue;
      }
      break;
    }
    records.push({ line: lineNumber, text: buf });
    lineNumber += continuations + 1;
  }
  return records;
}

function stripCrLf(s: string): string {
  let end = s.length;
  while (end > 0 && (s[end - 1] === '\n' || s[end - 1] === '\r')) end--;
  return s.slice(0, end);
}

function utf8Length(c: string): number {
  const code = c.codePointAt(0) ?? 0;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

interface NextToken {
  token: HbaToken;
  /** The token ended at an unquoted comma: the field goes on. */
  comma: boolean;
}

/** Reads tokens from one record, position by position, as the server's next_token() does. */
export class LineReader {
  #text: string;
  #maxBytes: number;
  #pos = 0;
  /** Set when a token is too long: the rest of the line is discarded. */
  error: string | undefined;

  constructor(text: string, maxBytes = Infinity) {
    this.#text = text;
    this.#maxBytes = maxBytes;
  }

  get atEnd(): boolean {
    return this.#pos >= this.#text.length;
  }

  next(): NextToken | undefined {
    const s = this.#text;
    // Skip blanks and commas before the token.
    while (this.#pos < s.length && (isBlank(s[this.#pos]) || s[this.#pos] === ',')) this.#pos++;
    let text = '';
    let bytes = 0;
    let inQuote = false;
    let wasQuote = false;
    let sawQuote = false;
    let initialQuote = false;
    let comma = false;
    while (this.#pos < s.length) {
      const c = s[this.#pos]!;
      if (isBlank(c) && !inQuote) break;
      if (c === '#' && !inQuote) {
        this.#pos = s.length; // a comment runs to the end of the line
        break;
      }
      if (bytes >= this.#maxBytes) {
        this.error = 'authentication file token too long';
        this.#pos = s.length;
        return undefined;
      }
      this.#pos++;
      if (c === ',' && !inQuote) {
        comma = true;
        break;
      }
      if (c !== '"' || wasQuote) {
        text += c;
        bytes += utf8Length(c);
      }
      // A doubled quote inside quotes is a literal quote.
      wasQuote = inQuote && c === '"' ? !wasQuote : false;
      if (c === '"') {
        inQuote = !inQuote;
        sawQuote = true;
        if (text === '') initialQuote = true;
      }
    }
    if (!sawQuote && text === '') return undefined;
    return { token: { text, quoted: initialQuote }, comma };
  }
}

/** What `@file` expansion gives: the file's tokens, or the error that ends the line. */
export type ExpandResult = { tokens: HbaToken[] } | { error: string };

export interface TokenizedLine {
  /** Fields in order; each a list of comma-separated tokens. Empty fields (an empty @file) are dropped. */
  fields: HbaToken[][];
  error?: string;
}

/**
 * Splits a record into fields of tokens. `expandAt` is called for an unquoted `@name` token (not a
 * bare `@`); its tokens replace it in the field. Tokenizing stops at the first error. `maxBytes`:
 * the longest token the server accepts (see maxTokenBytes).
 */
export function tokenizeLine(text: string, expandAt?: (name: string) => ExpandResult, maxBytes = Infinity): TokenizedLine {
  const reader = new LineReader(text, maxBytes);
  const fields: HbaToken[][] = [];
  let error: string | undefined;
  while (!reader.atEnd && error === undefined) {
    const field: HbaToken[] = [];
    for (;;) {
      const next = reader.next();
      if (!next) {
        error = reader.error;
        break;
      }
      const { token } = next;
      if (!token.quoted && token.text.startsWith('@') && token.text.length > 1 && expandAt) {
        const expanded = expandAt(token.text.slice(1));
        if ('error' in expanded) {
          error = expanded.error;
          break;
        }
        // One push per token: spreading a long @file list would overflow the call stack.
        for (const t of expanded.tokens) field.push(t);
      } else {
        field.push(token);
      }
      if (!next.comma) break;
    }
    if (field.length > 0) fields.push(field);
  }
  return error === undefined ? { fields } : { fields, error };
}
