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

export interface ReadContext {
  serverMajor: number;
  reader: HbaFileReader | undefined;
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
  try {
    return { text: ctx.reader.readFile(path) };
  } catch (error) {
    // The server opens a folder without complaint, then reading it fails and it stops silently.
    if (errnoCode(error) === 'EISDIR') return { text: '' };
    return { error: `could not open file "${path}": ${errnoText(error)}`, code: errnoCode(error) };
  }
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
      text = ctx.reader.readFile(path);
    } catch (error) {
      if (errnoCode(error) === 'EISDIR') return { tokens: [] };
      return { error: `could not open secondary authentication file "@${name}" as "${path}": ${errnoText(error)}` };
    }
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
    for (const field of line.fields) tokens.push(...field);
  }
  return { tokens };
}

/** Lines of an included file, or the error to put on the include line; undefined when skipped. */
function includeFile(name: string, callingFile: string, depth: number, missingOk: boolean, ctx: ReadContext, out: SourceLine[]): string | undefined {
  const path = resolveIncluded(name, callingFile);
  const opened = openFile(path, depth, ctx);
  if ('error' in opened) return missingOk && opened.code === 'ENOENT' ? undefined : opened.error;
  out.push(...readText(opened.text, path, depth, ctx));
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
  for (const record of splitLogicalLines(text)) {
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
