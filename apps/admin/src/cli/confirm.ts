import { createInterface } from 'node:readline/promises';

/** Asks on the terminal; true only if the operator types `expected` exactly. */
export async function confirmByTyping(question: string, expected: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(`${question} Type "${expected}" to confirm: `)).trim() === expected;
  } finally {
    rl.close();
  }
}
