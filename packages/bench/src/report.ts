// The pure parts of pnpm bench: the figures per column, ratios, targets, the markdown table and
// document, and the CPU profile summary. No I/O here (bench.ts does it), so the tests cover it all.

export type ColumnId = 'pg-httpd' | 'pg-httpd-workers' | 'pg-httpd-default-heap' | 'pg-direct' | 'sqlite-httpd' | 'sqlite-direct' | 'anchor';

// Every column but the two variants runs the rendered environment file (WORKERS=1: one site
// process, its NODE_OPTIONS sizing V8's heap); the variants change one of those.
export const COLUMN_LABELS: Record<ColumnId, string> = {
  'pg-httpd': 'PostgreSQL, via httpd',
  'pg-httpd-workers': 'PostgreSQL, via httpd, WORKERS=auto',
  'pg-httpd-default-heap': 'PostgreSQL, via httpd, V8 default heap',
  'pg-direct': 'PostgreSQL, direct',
  'sqlite-httpd': 'SQLite, via httpd',
  'sqlite-direct': 'SQLite, direct',
  anchor: 'anchor (2015 stack, via its Apache)',
};

/** The figures of one column; a missing one is printed as "–". */
export interface Figures {
  getRps?: number;
  getP50Ms?: number;
  getP99Ms?: number;
  getErrors?: number;
  /** committed writes per second: 303s (the anchor: 200s) over the run's duration */
  writesPerS?: number;
  postP50Ms?: number;
  postP99Ms?: number;
  /** answers that were not a committed write, and socket errors */
  postFailures?: number;
  /** rows in the table after the POST run minus the 50 seeded */
  rowsInserted?: number;
  /** committed writes counted by wrk */
  writesCounted?: number;
  healthP50Ms?: number;
  healthP99Ms?: number;
  /** VmRSS of the site process just after start (its first page served), before any load */
  startRssMiB?: number;
  /** peak summed VmRSS of the app's processes (the site's node process; the anchor's mod_wsgi daemons) during GET and POST */
  appRssMiB?: number;
  /** peak summed VmRSS of httpd (parent and children) */
  httpdRssMiB?: number;
  /** peak of app + httpd, sampled together */
  totalRssMiB?: number;
  coldStartMs?: number;
  doctorMs?: number;
  pnpmDoctorMs?: number;
}

export type Columns = Partial<Record<ColumnId, Figures>>;

interface Row {
  key: keyof Figures;
  label: string;
  digits: number;
  /** a count where ours / anchor means nothing (errors) */
  noRatio?: true;
}

export const ROWS: Row[] = [
  { key: 'getRps', label: 'GET / req/s (c32, 15 s)', digits: 0 },
  { key: 'getP50Ms', label: 'GET / p50 ms', digits: 2 },
  { key: 'getP99Ms', label: 'GET / p99 ms', digits: 2 },
  { key: 'getErrors', label: 'GET / errors', digits: 0, noRatio: true },
  { key: 'writesPerS', label: 'POST / committed writes/s (c16, 10 s)', digits: 0 },
  { key: 'postP50Ms', label: 'POST / p50 ms', digits: 2 },
  { key: 'postP99Ms', label: 'POST / p99 ms', digits: 2 },
  { key: 'writesCounted', label: 'POST / committed writes counted (303; anchor 200)', digits: 0 },
  { key: 'rowsInserted', label: 'POST / rows inserted (rows − 50)', digits: 0 },
  { key: 'postFailures', label: 'POST / other answers and errors', digits: 0, noRatio: true },
  { key: 'healthP50Ms', label: '/health p50 ms (1 connection)', digits: 3 },
  { key: 'healthP99Ms', label: '/health p99 ms (1 connection)', digits: 3 },
  { key: 'startRssMiB', label: 'RSS of the site after start and its first page MiB', digits: 1 },
  { key: 'appRssMiB', label: 'peak RSS, app process(es) MiB', digits: 1 },
  { key: 'httpdRssMiB', label: 'peak RSS, httpd (parent + children) MiB', digits: 1 },
  { key: 'totalRssMiB', label: 'peak RSS, app + httpd MiB', digits: 1 },
  { key: 'coldStartMs', label: 'cold start to first 200 ms (median)', digits: 0 },
  { key: 'doctorMs', label: 'admin doctor wall ms (node dist/bin.js, median)', digits: 0 },
  { key: 'pnpmDoctorMs', label: '`pnpm admin doctor` wall ms (median)', digits: 0 },
];

/** ours / anchor, undefined when either is missing or the anchor's is 0. */
export function ratio(ours: number | undefined, anchor: number | undefined): number | undefined {
  if (ours === undefined || anchor === undefined || anchor === 0) return undefined;
  return ours / anchor;
}

export function formatNumber(v: number | undefined, digits: number): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).replaceAll(',', ' ');
}

export function formatRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '–';
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** A markdown table; `numeric`: the columns after the first are right-aligned. */
function markdownTable(header: string[], rows: string[][], numeric = true): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 || !numeric ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** The side-by-side table: one column per stack measured, and ours (PostgreSQL via httpd, and its variants) / anchor. */
export function figuresTable(columns: Columns): string {
  const ids = (Object.keys(COLUMN_LABELS) as ColumnId[]).filter((id) => columns[id]);
  const anchor = columns.anchor;
  const ratioOf = (['pg-httpd', 'pg-httpd-workers', 'pg-httpd-default-heap'] as const).filter((id) => anchor && columns[id]);
  const ratioLabel: Record<(typeof ratioOf)[number], string> = {
    'pg-httpd': 'ratio PG via httpd / anchor',
    'pg-httpd-workers': 'ratio WORKERS=auto / anchor',
    'pg-httpd-default-heap': 'ratio default heap / anchor',
  };
  const header = ['figure', ...ids.map((id) => COLUMN_LABELS[id]), ...ratioOf.map((id) => ratioLabel[id])];
  const rows = ROWS.filter((row) => ids.some((id) => columns[id]![row.key] !== undefined)).map((row) => [
    row.label,
    ...ids.map((id) => formatNumber(columns[id]![row.key], row.digits)),
    ...ratioOf.map((id) => (row.noRatio ? '' : formatRatio(ratio(columns[id]![row.key], anchor![row.key])))),
  ]);
  return markdownTable(header, rows);
}

export interface TargetResult {
  target: string;
  measured: string;
  /** undefined: could not be judged (e.g. no anchor in this run) */
  met: boolean | undefined;
  /** how far from the target, when missed */
  gap?: string;
}

const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

/** The rendered configuration's site process at peak under the bench's load (issue 18; issue 8 asked 100 MiB). */
export const SITE_RSS_LIMIT_MIB = 200;

/** The issue's targets, judged on PostgreSQL through httpd (cold start, /health: direct) against the anchor of the same run. */
export function evaluateTargets(columns: Columns): TargetResult[] {
  const ours = columns['pg-httpd'] ?? {};
  const direct = columns['pg-direct'] ?? {};
  const anchor = columns.anchor;
  const out: TargetResult[] = [];
  const relative = (target: string, r: number | undefined, want: number, atLeast: boolean, what: string) => {
    if (r === undefined) {
      out.push({ target, measured: anchor ? 'not measured' : 'needs --with-anchor', met: undefined });
      return;
    }
    const met = atLeast ? r >= want : r <= want;
    out.push({
      target,
      measured: `${formatRatio(r)} (${what})`,
      met,
      ...(met ? {} : { gap: atLeast ? `${formatRatio(r)} of ${formatRatio(want)}: needs ${formatRatio(want / r)} the measured figure` : `${formatRatio(r)} vs at most ${formatRatio(want)}: needs ${formatRatio(r / want)} lower` }),
    });
  };
  const absolute = (target: string, v: number | undefined, limit: number, unit: string, digits: number, strict: boolean) => {
    if (v === undefined) {
      out.push({ target, measured: 'not measured', met: undefined });
      return;
    }
    const met = strict ? v < limit : v <= limit;
    out.push({
      target,
      measured: `${formatNumber(v, digits)} ${unit}`,
      met,
      ...(met ? {} : { gap: `${formatNumber(v - limit, digits)} ${unit} (${pct(v / limit - 1)}) over` }),
    });
  };
  const judge = (figures: Figures, rssPeaks: (number | undefined)[], suffix: string) => {
    relative(`GET req/s ≥ 3× anchor${suffix}`, ratio(figures.getRps, anchor?.getRps), 3, true, `${formatNumber(figures.getRps, 0)} vs ${formatNumber(anchor?.getRps, 0)} req/s`);
    relative(`GET p99 ≤ 1/3 of anchor${suffix}`, ratio(figures.getP99Ms, anchor?.getP99Ms), 1 / 3, false, `${formatNumber(figures.getP99Ms, 2)} vs ${formatNumber(anchor?.getP99Ms, 2)} ms`);
    relative(`committed writes ≥ 5× anchor POST rate${suffix}`, ratio(figures.writesPerS, anchor?.writesPerS), 5, true, `${formatNumber(figures.writesPerS, 0)} vs ${formatNumber(anchor?.writesPerS, 0)} writes/s`);
    const rss = rssPeaks.filter((v): v is number => v !== undefined);
    absolute(`site RSS ≤ ${SITE_RSS_LIMIT_MIB} MiB at peak${suffix}`, rss.length ? Math.max(...rss) : undefined, SITE_RSS_LIMIT_MIB, 'MiB', 1, false);
  };
  judge(ours, [ours.appRssMiB, direct.appRssMiB], '');
  const workers = columns['pg-httpd-workers'];
  if (workers) judge(workers, [workers.appRssMiB], ' (WORKERS=auto)');
  const defaultHeap = columns['pg-httpd-default-heap'];
  if (defaultHeap) judge(defaultHeap, [defaultHeap.appRssMiB], ' (V8 default heap)');
  absolute('/health p50 < 2 ms direct', direct.healthP50Ms, 2, 'ms', 3, true);
  absolute('doctor < 1.5 s (healthy stack)', ours.doctorMs, 1500, 'ms', 0, true);
  absolute('cold start < 1 s (spawn → first 200)', direct.coldStartMs, 1000, 'ms', 0, true);
  return out;
}

export function targetsTable(targets: TargetResult[]): string {
  return markdownTable(
    ['target', 'measured', 'met'],
    targets.map((t) => [t.target, t.measured, t.met === undefined ? 'n/a' : t.met ? 'met' : `**not met** (${t.gap})`]),
    false,
  );
}

/** median of the values (the mean of the middle two for an even count) */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// ---------------------------------------------------------------- CPU profile (.cpuprofile, V8's format)

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number }; children?: number[] }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

/** Shortens a script URL to what names it: node_modules/<package>/… or the repository-relative path. */
export function shortUrl(url: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).replace(/^\.pnpm\/[^/]+\/node_modules\//, '');
    return rest;
  }
  const at = path.search(/\/(apps|packages)\//);
  return at >= 0 ? path.slice(at + 1) : path;
}

/** The package (or app) a script belongs to, for the per-package sums. */
export function packageOf(url: string): string {
  const s = shortUrl(url);
  if (!s) return '(native / V8)';
  if (s.startsWith('node:')) return 'node: (core)';
  const m = /^(@[^/]+\/[^/]+|[^/]+)/.exec(s);
  if (s.startsWith('apps/') || s.startsWith('packages/')) return s.split('/').slice(0, 2).join('/');
  return m ? m[1]! : s;
}

/** Self time per function (name + file:line) and per package, largest first. */
export function summarizeCpuProfile(profile: CpuProfile, top = 20): { totalMs: number; functions: SelfTime[]; packages: SelfTime[] } {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) byNode.set(samples[i]!, (byNode.get(samples[i]!) ?? 0) + (deltas[i] ?? 0));
  const fn = new Map<string, SelfTime>();
  const pkg = new Map<string, SelfTime>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = byNode.get(node.id) ?? 0;
    if (us === 0) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}\0${where}`;
    const f = fn.get(key) ?? { name, where, selfMs: 0, share: 0 };
    f.selfMs += us / 1000;
    fn.set(key, f);
    const p = packageOf(url);
    const g = pkg.get(p) ?? { name: p, where: '', selfMs: 0, share: 0 };
    g.selfMs += us / 1000;
    pkg.set(p, g);
  }
  const finish = (m: Map<string, SelfTime>) =>
    [...m.values()]
      .map((v) => ({ ...v, share: total ? v.selfMs / (total / 1000) : 0 }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top);
  return { totalMs: total / 1000, functions: finish(fn), packages: finish(pkg) };
}

export function profileTables(summary: { totalMs: number; functions: SelfTime[]; packages: SelfTime[] }): string {
  const rows = (list: SelfTime[], where: boolean) =>
    list.map((s) => [where ? `\`${s.name}\`` : s.name, ...(where ? [s.where ? `\`${s.where}\`` : ''] : []), formatNumber(s.selfMs, 0), `${(s.share * 100).toFixed(1)} %`]);
  return [
    `Sampled ${formatNumber(summary.totalMs, 0)} ms of the site process.`,
    '',
    markdownTable(['function', 'where', 'self ms', 'share'], rows(summary.functions, true)).replace('| --- | ---: |', '| --- | --- |'),
    '',
    markdownTable(['package', 'self ms', 'share'], rows(summary.packages, false)),
  ].join('\n');
}

// ---------------------------------------------------------------- the document

export interface Environment {
  date: string;
  nproc: number;
  cpuModel: string;
  kernel: string;
  memory: string;
  versions: Record<string, string>;
}

export function environmentTable(env: Environment): string {
  return markdownTable(
    ['item', 'value'],
    [
      ['date (UTC)', env.date],
      ['nproc', String(env.nproc)],
      ['CPU model', env.cpuModel],
      ['kernel', env.kernel],
      ['memory', env.memory],
      ...Object.entries(env.versions).map(([k, v]) => [k, v]),
    ],
    false,
  );
}

export function benchmarksDocument(input: {
  env: Environment;
  command: string;
  columns: Columns;
  targets: TargetResult[];
  notes: string[];
  /** the growth curve's table (growth.ts) */
  growth?: string;
  profile?: string;
  resultsFile: string;
}): string {
  return `# Benchmarks

The latest \`pnpm bench\` run (written by the bench itself; re-run \`pnpm bench --with-anchor\` to refresh).
Measured with the protocol of the seed-stack anchor (\`../shared/anchors/seed-stack/RESULTS.md\`): 50 rows
seeded before every measured phase, wrk on loopback, a 3 s GET warm-up (discarded), GET at 32
connections for 15 s, POST at 16 connections for 10 s, peak RSS sampled from /proc every 0.2 s. All the
processes (wrk, httpd, the site, PostgreSQL) share the same cores: these are figures for the whole box.
Figures drift 5–10 % between runs; compare only within one run.

Command: \`${input.command}\` · raw results: \`${input.resultsFile}\` (not committed)

## Machine and versions

${environmentTable(input.env)}

## Figures

${figuresTable(input.columns)}

${input.growth ? `## Growth: the page's cost as the table grows\n\nGET / and a page in the middle of the table, the site direct, the table seeded in the database to each size; the last row of each driver is the ratio of its largest size to its smallest.\n\n${input.growth}\n\n` : ''}## Targets (issues 8 and 18)

Judged on PostgreSQL through httpd against the anchor of the same run; \`/health\` and cold start direct; the growth curve direct.

${targetsTable(input.targets)}

## Notes

${input.notes.map((n) => `- ${n}`).join('\n')}
${input.profile ? `\n## CPU profile of the site during GET through httpd (\`node --cpu-prof\`)\n\n${input.profile}\n` : ''}`;
}
