import { CliError } from '../../cli/cli-error.js';
import type { Output } from '../../cli/output.js';
import { fileRulesView, lintHba, type HbaEntry, type HbaFileRulesRow, type HbaFinding } from '../../hba/index.js';
import { addressText, count, lineText, maskSecrets, optionsObject, table, tokens, where, header } from './format.js';
import { loadHba, type HbaFileOptions } from './load.js';

export interface HbaCheckOptions extends HbaFileOptions {
  json?: boolean;
}

/** One line of the file as `--json` shows it: the columns of pg_hba_file_rules, named for people. */
export interface HbaCheckRow {
  line: number;
  type: string | null;
  databases: string[] | null;
  users: string[] | null;
  address: string | null;
  netmask: string | null;
  method: string | null;
  /** name → value as the view shows them; null on an invalid line */
  options: Record<string, string> | null;
  /** why the server refuses the line (or, on a line it loads, why it can never match); null when fine */
  error: string | null;
  /** the file the line is in (an included file, or the main one) */
  file: string;
  /** the line as written (secrets masked) */
  text: string;
}

function row(entry: HbaEntry, view: HbaFileRulesRow): HbaCheckRow {
  const error = entry.kind === 'invalid' ? (entry.viewError ?? entry.message) : (entry.viewError ?? null);
  return {
    line: entry.line,
    type: view.type,
    databases: view.database,
    users: view.user_name,
    address: view.address,
    netmask: view.netmask,
    method: view.auth_method,
    options: entry.kind === 'invalid' ? null : optionsObject(view.options),
    error: error === null ? null : maskSecrets(error),
    file: entry.file,
    text: lineText(entry.raw),
  };
}

/** The finding's message already names its line (`line 4: ...`); else say it. */
function findingText(finding: HbaFinding, mainFile: string): string {
  const at = where(finding, mainFile);
  const message = maskSecrets(finding.message);
  return message.startsWith('line ') || message.startsWith(`${finding.file}:`) ? message : `${at}: ${message}`;
}

/**
 * `pnpm admin hba check [FILE]`: every line of pg_hba.conf as the server reads it (the rows of
 * pg_hba_file_rules), then what to fix. Exit 1 when the server would refuse the file.
 */
export async function hbaCheckCommand(fileArg: string | undefined, options: HbaCheckOptions, io: Output): Promise<void> {
  const { file, how, serverMajor, majorFrom, parsed, notes } = await loadHba(fileArg, options);
  const { bold, dim, red, yellow, green, cyan } = io.colors;
  for (const note of notes) io.err(`${yellow('!')} ${note}`);
  const view = fileRulesView(parsed);
  const rows = parsed.entries.map((entry, i) => row(entry, view[i]!));
  const findings = lintHba(parsed);

  if (options.json) {
    io.out(
      JSON.stringify(
        {
          file,
          serverMajor,
          loads: parsed.loads,
          loadError: parsed.loadError === undefined ? null : maskSecrets(parsed.loadError),
          rules: rows,
          findings: findings.map((f) => ({ line: f.line, severity: f.severity, code: f.code, message: maskSecrets(f.message), file: f.file })),
        },
        null,
        2,
      ),
    );
  } else {
    io.out(header(file, how, serverMajor, majorFrom, io.colors));
    io.out();
    // One table row per line; an invalid line shows its error in place of the columns, and a line
    // the server loads but can never match gets a note under its row.
    const lineOf = (entry: HbaEntry) => (entry.file === file ? String(entry.line) : where(entry, file));
    const lineWidth = Math.max(4, ...parsed.entries.map((e) => lineOf(e).length));
    const items: ({ cells: string[] } | { text: string })[] = [{ cells: ['LINE'.padEnd(lineWidth), 'TYPE', 'DATABASE', 'USER', 'ADDRESS', 'METHOD', 'OPTIONS'] }];
    parsed.entries.forEach((entry, i) => {
      const at = lineOf(entry).padEnd(lineWidth);
      const r = rows[i]!;
      if (entry.kind === 'invalid') {
        items.push({ text: `${at}  ${red('✗')} ${r.error ?? ''}  ${dim(`(${r.text})`)}` });
        return;
      }
      const opts = Object.entries(r.options ?? {}).map(([k, v]) => `${k}=${v}`);
      items.push({ cells: [at, entry.type, tokens(entry.databases), tokens(entry.users), addressText(entry.address), entry.method, opts.join(' ')] });
      if (r.error !== null) items.push({ text: `${' '.repeat(lineWidth)}  ${yellow('!')} ${r.error}: this line can never match` });
    });
    const padded = table(items.flatMap((item) => ('cells' in item ? [item.cells] : [])));
    let next = 0;
    for (const item of items) {
      if ('text' in item) io.out(item.text);
      else io.out(next === 0 ? dim(padded[next++] ?? '') : (padded[next++] ?? ''));
    }
    if (parsed.entries.length === 0) io.out(dim('(no lines)'));
    if (findings.length > 0) {
      io.out();
      io.out(bold('findings'));
      for (const f of findings) io.out(`  ${f.severity === 'warn' ? yellow('!') : cyan('i')} ${findingText(f, file)}`);
    }
    io.out();
    const summary = `${count(parsed.rules.length, 'rule')}, ${count(parsed.invalid.length, 'invalid line')}, ${count(findings.length, 'finding')}`;
    if (!parsed.loads) {
      io.out(red(`✗ the server would not load this file: ${maskSecrets(parsed.loadError ?? 'fix the invalid lines')}`));
      io.out(summary);
    } else {
      io.out(findings.length > 0 ? yellow(summary) : green(summary));
    }
  }
  if (!parsed.loads) throw new CliError('', 1);
}
