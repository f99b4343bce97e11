import { spawn, type SpawnOptions } from 'node:child_process';

export interface CommandResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they came */
  output: string;
}

/**
 * Runs a program to its end without blocking the event loop (the test runner's worker keeps
 * answering while debootstrap or apt-get take minutes), collecting its output.
 */
export function runCommand(command: string, args: string[], options: SpawnOptions & { input?: string; onOutput?: (chunk: string) => void } = {}): Promise<CommandResult> {
  const { input, onOutput, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      onOutput?.(text);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, output }));
    child.stdin!.end(input ?? '');
  });
}

/** Like runCommand, but a non-zero exit is an error that carries the command and its output's end. */
export async function mustRun(command: string, args: string[], options: Parameters<typeof runCommand>[2] = {}): Promise<string> {
  const result = await runCommand(command, args, options);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')}: exit ${result.status ?? result.signal}\n${result.output.slice(-4000)}`);
  }
  return result.output;
}
