import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** Why a file could not be read: the system's error, a kind of file that is not a file's content, or its size. */
export type SmallFileProblem =
  | { kind: 'unreadable'; code: string }
  | { kind: 'not-regular'; what: string }
  | { kind: 'too-large'; maxBytes: number };

export class SmallFileError extends Error {
  override readonly name = 'SmallFileError';

  readonly problem: SmallFileProblem;

  constructor(problem: SmallFileProblem) {
    super(problem.kind === 'unreadable' ? problem.code : problem.kind === 'not-regular' ? `is ${problem.what}` : `larger than ${problem.maxBytes} bytes`);
    this.problem = problem;
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'an unknown kind of file';
}

/**
 * Reads a small regular file (a password, a profile) and its mode. Checked on the opened file,
 * before reading: a FIFO opened without O_NONBLOCK would block the process until a writer
 * comes, and a device such as /dev/zero would never end. Reads at most `maxBytes` + 1 bytes, so
 * a file that grows (or, like /proc's, reports size 0) cannot exhaust memory either.
 */
export function readSmallFile(path: string, maxBytes: number): { bytes: Buffer; mode: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw new SmallFileError({ kind: 'unreadable', code: (error as NodeJS.ErrnoException).code ?? 'EIO' });
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new SmallFileError({ kind: 'not-regular', what: kindOf(stats) });
    if (stats.size > maxBytes) throw new SmallFileError({ kind: 'too-large', maxBytes });
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
    if (length > maxBytes) throw new SmallFileError({ kind: 'too-large', maxBytes });
    return { bytes: buffer.subarray(0, length), mode: stats.mode };
  } catch (error) {
    if (error instanceof SmallFileError) throw error;
    throw new SmallFileError({ kind: 'unreadable', code: (error as NodeJS.ErrnoException).code ?? 'EIO' });
  } finally {
    closeSync(fd);
  }
}
