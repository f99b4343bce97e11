import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/** Where a command writes: text for people on stdout, problems on stderr, colour only on a terminal. */
export interface Output {
  colors: Colors;
  out(line?: string): void;
  err(line?: string): void;
}

export function terminalOutput(): Output {
  // A reader that stops early (`pnpm admin hba check | head`) is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const useColor = Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
  return {
    colors: pc.createColors(useColor),
    out: (line = '') => process.stdout.write(`${line}\n`),
    err: (line = '') => process.stderr.write(`${line}\n`),
  };
}

/** Left-aligned two-column rows, for "label  value" blocks. */
export function columns(rows: [string, string][], indent = '  '): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`);
}
