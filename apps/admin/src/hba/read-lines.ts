import { posix } from 'node:path';
import { maxTokenBytes, splitLogicalLines, tokenizeLine, type ExpandResult } from './tokenize.js';
import type { HbaFileReader, HbaToken } from './types.js';

/** A record with its tokens, from the main file or an included one. */
export interface SourceLine {
  file: string;
  line: number;
  raw: string;
  fields: HbaToken[][];
  /** Set when reading the line failed (a token too long, a missing @file or include). */
  error?: string;
}

/** How much reading one pg_hba.conf may take, its included files and @files counted in. */
export interface ReadBudget {
  /** records (logical lines) read, from every file */
  lines: number;
  /** UTF-8 bytes read, a file counted each time it is read */
  bytes: number;
  /** wall time, from the start of the parse */
  ms: number;
}

/**
 * Far above any real file (the largest seen hold a few thousand lines), and low enough that a
 * file including itself, or a runaway generated one, ends in seconds with a clear message.
 */
export const READ_BUDGET: ReadBudget = { lines: 200_000, bytes: 32 * 1024 * 1024, ms: 30_000 };

/** Reading went past the budget: nothing partial is returned, since a cut file matches differently. */
export class HbaReadBudgetError extends Error {
  readonly limit: keyof ReadBudget;
  constructor(limit: keyof ReadBudget, message: string) {
    super(message);
    this.name = 'HbaReadBudgetError';
    this.limit = limit;
  }
}

export interface ReadContext {
  serverMajor: number;
  reader: HbaFileReader | undefined;
  budget: ReadBudget;
  /** what has been read so far */
  spent: { lines: number; bytes: number; startedAt: number };
  now: () => number;
  /** Files already read in this parse: a file included many times is read from the disk once. */
  files: Map<string, { text: string } | { error: unknown }>;
}

/** A fresh context for one parse. */
export function readContext(serverMajor: number, reader: HbaFileReader | undefined, budget: ReadBudget = READ_BUDGET, now: () => number = () => performance.now()): ReadContext {
  return { serverMajor, reader, budget, spent: { lines: 0, bytes: 0, startedAt: now() }, now, files: new Map() };
}

/** The reader's text for a path, read once per parse; throws what the reader threw. */
function readOnce(reader: HbaFileReader, path: string, ctx: ReadContext): string {
  let known = ctx.files.get(path);
  if (known === undefined) {
    try {
      known = { text: reader.readFile(path) };
    } catch (error) {
      known = { error };
    }
    ctx.files.set(path, known);
  }
  if ('error' in known) throw known.error;
  return known.text;
}

function utf8Bytes(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Surrogate pairs: 2 units, 4 bytes.
    if (c >= 0x80) bytes += c < 0x800 ? 1 : c >= 0xd800 && c <= 0xdfff ? 0 : 2;
  }
  return bytes;
}

function overBudget(ctx: ReadContext, limit: keyof ReadBudget, where: string): HbaReadBudgetError {
  const { lines, bytes, ms } = ctx.budget;
  const size = bytes >= 1048576 ? `${Math.round(bytes / 1048576)} MiB` : `${Math.round(bytes / 1024)} KiB`;
  const what = limit === 'lines' ? `more than ${lines} lines read` : limit === 'bytes' ? `more than ${size} read` : `reading took more than ${ms / 1000} s`;
  return new HbaReadBudgetError(
    limit,
    `pg_hba.conf and the files it includes hold too much: ${what}, stopped at ${where}; look for a file that includes itself (include, include_dir, @file) or a runaway generated list, and fix it`,
  );
}

/** Counts a file's text against the budget before its lines are read (the time: once it has been read). */
function spendText(text: string, path: string, ctx: ReadContext, read = true): void {
  ctx.spent.bytes += utf8Bytes(text);
  if (ctx.spent.bytes > ctx.budget.bytes) throw overBudget(ctx, 'bytes', `"${path}"`);
  if (read && ctx.now() - ctx.spent.startedAt > ctx.budget.ms) throw overBudget(ctx, 'ms', `"${path}"`);
}

/** The server refuses to open files nested deeper than this (CONF_FILE_MAX_DEPTH). */
const MAX_DEPTH = 10;

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
};

/** strerror() text for a node:fs error, as `%m` prints it. */
export function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code && ERRNO_TEXT[code]) ?? (error instanceof Error ? error.message : String(error));
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** canonicalize_path(): normalized, without a trailing slash. */
function canonical(path: string): string {
  const n = posix.normalize(path);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** AbsoluteConfigLocation(): an absolute name as is, else relative to the including file's folder. */
export function resolveIncluded(name: string, callingFile: string): string {
  return canonical(posix.isAbsolute(name) ? name : posix.join(posix.dirname(callingFile), name));
}

type Opened = { text: string } | { error: string; code: string | undefined };

function openFile(path: string, depth: number, ctx: ReadContext): Opened {
  if (depth > MAX_DEPTH) return { error: `could not open file "${path}": maximum nesting depth exceeded`, code: undefined };
  if (!ctx.reader) return { error: `could not open file "${path}": No such file or directory`, code: 'ENOENT' };
  let text: string;
  try {
    text = readOnce(ctx.reader, path, ctx);
  } catch (error) {
    // The server opens a folder without complaint, then reading it fails and it stops silently.
    if (errnoCode(error) === 'EISDIR') return { text: '' };
    return { error: `could not open file "${path}": ${errnoText(error)}`, code: errnoCode(error) };
  }
  spendText(text, path, ctx);
  return { text };
}

/** `@file` in a database or user field: every token of every line of the file. */
function expandAtFile(name: string, callingFile: string, depth: number, ctx: ReadContext): ExpandResult {
  const path = resolveIncluded(name, callingFile);
  if (ctx.serverMajor < 16) {
    // PostgreSQL 15 reads @files without a nesting limit and words the error its own way.
    if (depth > 64) return { error: `could not open secondary authentication file "@${name}" as "${path}": Too many levels of symbolic links` };
    if (!ctx.reader) return { error: `could not open secondary authentication file "@${name}" as "${path}": No such file or directory` };
    let text: string;
    try {
      text = readOnce(ctx.reader, path, ctx);
    } catch (error) {
      if (errnoCode(error) === 'EISDIR') return { tokens: [] };
      return { error: `could not open secondary authentication file "@${name}" as "${path}": ${errnoText(error)}` };
    }
    spendText(text, path, ctx);
    return flatten(readText(text, path, depth, ctx));
  }
  const opened = openFile(path, depth, ctx);
  if ('error' in opened) return { error: opened.error };
  return flatten(readText(opened.text, path, depth, ctx));
}

function flatten(lines: SourceLine[]): ExpandResult {
  const tokens: HbaToken[] = [];
  for (const line of lines) {
    if (line.error !== undefined) return { error: line.error };
    for (const field of line.fields) for (const token of field) tokens.push(token);
  }
  return { tokens };
}

/** Lines of an included file, or the error to put on the include line; undefined when skipped. */
function includeFile(name: string, callingFile: string, depth: number, missingOk: boolean, ctx: ReadContext, out: SourceLine[]): string | undefined {
  const path = resolveIncluded(name, callingFile);
  const opened = openFile(path, depth, ctx);
  if ('error' in opened) return missingOk && opened.code === 'ENOENT' ? undefined : opened.error;
  // One push per line: spreading a long file's lines would overflow the call stack.
  for (const line of readText(opened.text, path, depth, ctx)) out.push(line);
  return undefined;
}

function includeDir(name: string, callingFile: string, depth: number, ctx: ReadContext, out: SourceLine[]): string | undefined {
  const dir = resolveIncluded(name, callingFile);
  let names: string[];
  try {
    if (!ctx.reader?.readDir) throw Object.assign(new Error('no directory reader'), { code: 'ENOENT' });
    names = ctx.reader
      .readDir(dir)
      .filter((e) => !e.isDirectory && e.name.length >= 6 && !e.name.startsWith('.') && e.name.endsWith('.conf'))
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch {
    return `could not open directory "${dir}"`;
  }
  const errors: string[] = [];
  for (const file of names) {
    const error = includeFile(posix.join(dir, file), callingFile, depth, false, ctx, out);
    if (error !== undefined) errors.push(error);
  }
  return errors.length > 0 ? errors.join('\n') : undefined;
}

/**
 * tokenize_auth_file(): the file's records with their tokens; on PostgreSQL 16+ `include`,
 * `include_if_exists` and `include_dir` lines are replaced by the included files' lines.
 */
export function readText(text: string, file: string, depth: number, ctx: ReadContext): SourceLine[] {
  const out: SourceLine[] = [];
  // The main file's text is given, not read here.
  if (depth === 0) spendText(text, file, ctx, false);
  for (const record of splitLogicalLines(text)) {
    if (++ctx.spent.lines > ctx.budget.lines) throw overBudget(ctx, 'lines', `"${file}" line ${record.line}`);
    if ((ctx.spent.lines & 1023) === 0 && ctx.now() - ctx.spent.startedAt > ctx.budget.ms) throw overBudget(ctx, 'ms', `"${file}" line ${record.line}`);
    const tokenized = tokenizeLine(record.text, (name) => expandAtFile(name, file, depth + 1, ctx), maxTokenBytes(ctx.serverMajor));
    if (tokenized.fields.length === 0 && tokenized.error === undefined) continue;
    let error = tokenized.error;
    if (error === undefined && ctx.serverMajor >= 16 && tokenized.fields.length === 2) {
      const directive = tokenized.fields[0]![0]!.text;
      const target = tokenized.fields[1]![0]!.text;
      if (directive === 'include' || directive === 'include_if_exists' || directive === 'include_dir') {
        error =
          directive === 'include_dir'
            ? includeDir(target, file, depth + 1, ctx, out)
            : includeFile(target, file, depth + 1, directive === 'include_if_exists', ctx, out);
        if (error === undefined) continue;
      }
    }
    const line: SourceLine = { file, line: record.line, raw: record.text, fields: tokenized.fields };
    if (error !== undefined) line.error = error;
    out.push(line);
  }
  return out;
}
