/**
 * A deployment guide as a newcomer runs it: the shell blocks of each section, command after
 * command, in one shell that stops at the first command that fails. The guide is the source:
 * nothing here knows its commands.
 */

/** The commands of every ```sh block, by the `## ` section they are under (comment and blank lines dropped). */
export function guideSections(markdown: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let section = '';
  let inBlock = false;
  for (const line of markdown.split('\n')) {
    if (!inBlock && line.startsWith('## ')) section = line.slice(3).trim();
    else if (!inBlock && /^```(sh|bash)\s*$/.test(line)) inBlock = true;
    else if (inBlock && line.startsWith('```')) inBlock = false;
    else if (inBlock && line.trim() && !line.trim().startsWith('#')) {
      // One command a line is what makes a block safe to paste and to run here line by line.
      if (/\\$/.test(line) || /<<-?\s*['"]?\w+/.test(line)) throw new Error(`the guide's command spans lines (continuation or here-document): ${line}`);
      const commands = sections.get(section) ?? [];
      commands.push(line);
      sections.set(section, commands);
    }
  }
  return sections;
}

const MARK = '@@kdt-guide-step';

/** One bash script: `set -e`, and before each command a marker line so that its output can be told apart. */
export function walkScript(commands: string[]): string {
  return ['set -e', ...commands.flatMap((command, i) => [`printf '\\n${MARK} %d\\n' ${i}`, command]), `printf '\\n${MARK} end\\n'`, ''].join('\n');
}

export interface Walk {
  /** each command's output, by index; missing for commands that never ran */
  outputs: string[];
  /** the index of the command that failed, or null when every command ran */
  failedAt: number | null;
}

/** Cuts the walk's output at the markers. */
export function splitWalk(output: string, status: number | null): Walk {
  const parts = output.split(new RegExp(`\\n?${MARK} (\\d+|end)\\n`));
  const outputs: string[] = [];
  let last = -1;
  let finished = false;
  for (let i = 1; i < parts.length; i += 2) {
    if (parts[i] === 'end') finished = true;
    else {
      last = Number(parts[i]);
      outputs[last] = parts[i + 1] ?? '';
    }
  }
  return { outputs, failedAt: finished && status === 0 ? null : Math.max(last, 0) };
}

export type Claim = { kind: 'passes'; titles: string[] } | { kind: 'every'; names: { title: string; text: string } | null };

/**
 * What a doctor line's comment promises: "# stage check: A, B, C pass (…)" (each of those checks
 * passes, none fails) or "# every check passes; TITLE names TEXT" (none fails; that check's line
 * shows TEXT). Null for a line that promises nothing.
 */
export function doctorClaim(command: string): Claim | null {
  if (!/pnpm admin doctor/.test(command)) return null;
  const stage = /# stage check: (.+?) pass\b/.exec(command);
  if (stage) return { kind: 'passes', titles: stage[1]!.split(/,\s*/).map((t) => t.trim()) };
  const every = /# every check passes(?:; (.+?) names (\S+))?/.exec(command);
  if (every) return { kind: 'every', names: every[1] ? { title: every[1], text: every[2]! } : null };
  return null;
}

/** The problems with a doctor run's text output against its claim; empty when it holds. */
export function claimProblems(claim: Claim, output: string): string[] {
  const problems = output
    .split('\n')
    .filter((l) => l.startsWith('[✗]'))
    .map((l) => `failed: ${l}`);
  if (claim.kind === 'passes') {
    for (const title of claim.titles) if (!output.split('\n').some((l) => l.startsWith(`[✓] ${title}:`))) problems.push(`no "[✓] ${title}:" line`);
  } else if (claim.names) {
    const { title, text } = claim.names;
    if (!output.split('\n').some((l) => l.startsWith(`[✓] ${title}:`) && l.includes(text))) problems.push(`no "[✓] ${title}: …${text}…" line`);
  }
  return problems;
}
