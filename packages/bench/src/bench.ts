// pnpm bench: the site measured with the seed-stack anchor's protocol, on loopback, bounded in time.
// Starts a throwaway PostgreSQL (the system's server), the site's sub-path production build and a
// private apache2 running the rendered reverse-proxy site; then the same on SQLite; with
// --with-anchor also the anchor (../shared/anchors/seed-stack: its run.sh start / stop), all driven
// by the same wrk scripts. Prints a markdown table, writes .bench-results/<UTC>.json and
// docs/benchmarks.md. Everything it starts is stopped by PID, also on error, Ctrl-C and time-out.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DatabaseSync } from 'node:sqlite';
import { buildSite, freePort, pgServers, query, spawnProcess, startApache, startPostgres, startSite, tempProject, type Apache, type PgServer } from '@kit-db-test/testing';
import { machineBusy, processTree, readKb, RssSampler, stopTracked, track, type MemoryPeak } from './processes.ts';
import {
  benchmarksDocument,
  evaluateTargets,
  figuresTable,
  formatNumber,
  median,
  profileTables,
  summarizeCpuProfile,
  targetsTable,
  type ColumnId,
  type Columns,
  type CpuProfile,
  type Environment,
  type Figures,
} from './report.ts';
import { errorCount, runWrk, type WrkResult } from './wrk.ts';
import { GROWTH_SIZES, growthTable, growthTargets, QUICK_GROWTH_SIZES, type GrowthCurves, type GrowthPoint } from './growth.ts';

const BASE = '/kit-db-test';
const USAGE = `usage: pnpm bench [--with-anchor] [--quick] [--cpu-prof] [--no-sqlite]
  --with-anchor  also start the 2015 anchor (../shared/anchors/seed-stack) and measure it in the same run
  --quick        short loads (smoke run): 1 s warm-up, 3 s GET, 2 s POST, no variants, a growth curve
                 of 1 thousand and 100 thousand rows only; docs/benchmarks.md is left alone
  --cpu-prof     also run the PostgreSQL site under node --cpu-prof during a GET load through httpd
  --no-sqlite    skip the SQLite stack`;

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2).filter((a) => a !== '--');
const known = new Set(['--with-anchor', '--quick', '--cpu-prof', '--no-sqlite', '--help', '-h']);
const unknown = argv.filter((a) => !known.has(a));
if (argv.includes('--help') || argv.includes('-h') || unknown.length > 0) {
  if (unknown.length > 0) console.error(`pnpm bench: unknown option ${unknown.join(' ')}`);
  console.error(USAGE);
  process.exit(unknown.length > 0 ? 2 : 0);
}
const opts = {
  withAnchor: argv.includes('--with-anchor'),
  quick: argv.includes('--quick'),
  cpuProf: argv.includes('--cpu-prof'),
  sqlite: !argv.includes('--no-sqlite'),
};
// The anchor's protocol (RESULTS.md); --quick only shortens the durations.
const P = opts.quick
  ? { warmS: 1, getS: 3, postS: 2, healthS: 1, getC: 32, postC: 16, threads: 2, coldStarts: 1, doctorRuns: 1, growthWarmS: 1, growthS: 2, growthSizes: QUICK_GROWTH_SIZES }
  : { warmS: 3, getS: 15, postS: 10, healthS: 5, getC: 32, postC: 16, threads: 2, coldStarts: 3, doctorRuns: 3, growthWarmS: 2, growthS: 8, growthSizes: GROWTH_SIZES };
// The whole run is bounded: past this, everything is stopped and the bench fails.
const LIMIT_MS = (opts.quick ? 5 : 45) * 60_000;

function repoRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('not inside the kit-db-test checkout');
    dir = parent;
  }
  return dir;
}
const ROOT = repoRoot();
const WEB = join(ROOT, 'apps', 'web');
const ADMIN_BIN = join(ROOT, 'apps', 'admin', 'dist', 'bin.js');
// In CI the shared folder sits beside the repository clone; BENCH_ANCHOR_DIR overrides.
const ANCHOR_DIR = process.env.BENCH_ANCHOR_DIR ?? resolve(ROOT, '..', 'shared', 'anchors', 'seed-stack');

const started = performance.now();
function log(message: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${t}s] ${message}\n`);
}

// ---------------------------------------------------------------- clean-up: LIFO, by PID

const cleanups: { name: string; fn: () => Promise<void> | void }[] = [];
/** Registers a stop step; returns a function that runs it now (once) and forgets it. */
function defer(name: string, fn: () => Promise<void> | void): () => Promise<void> {
  const entry = { name, fn };
  cleanups.push(entry);
  return async () => {
    const i = cleanups.indexOf(entry);
    if (i < 0) return;
    cleanups.splice(i, 1);
    await fn();
  };
}
let cleaning: Promise<void> | undefined;
function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    await stopTracked(); // wrk, sites, admin runs: SIGTERM then SIGKILL, by PID
    while (cleanups.length > 0) {
      const { name, fn } = cleanups.pop()!;
      try {
        await Promise.race([Promise.resolve(fn()), new Promise((_, reject) => setTimeout(() => reject(new Error('did not finish within 90 s')), 90_000).unref())]);
      } catch (error) {
        log(`clean-up: ${name}: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    interrupted = true;
    log(`${signal}: stopping everything this run started`);
    void cleanupAll().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  log(`the run exceeded ${LIMIT_MS / 60_000} minutes: stopping everything`);
  void cleanupAll().finally(() => process.exit(1));
}, LIMIT_MS);

// ---------------------------------------------------------------- small helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sh(cmd: string, args: string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: options.input ?? '', cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, killSignal: 'SIGKILL' });
  return { code: r.status, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/** Runs the built admin CLI (what `pnpm admin` runs) with a clean environment plus `env`; times it. */
async function runAdmin(args: string[], env: Record<string, string>, viaPnpm = false): Promise<{ code: number | null; out: string; ms: number }> {
  const [cmd, full] = viaPnpm ? ['pnpm', ['--silent', 'admin', ...args]] : [process.execPath, [ADMIN_BIN, ...args]];
  const t0 = performance.now();
  const child = spawnProcess(cmd as string, full as string[], { name: `admin ${args[0]}`, cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...env } });
  track(`admin ${args[0]}`, child);
  const killer = setTimeout(() => void child.stop(0), 60_000);
  const { code } = await child.closed.finally(() => clearTimeout(killer));
  return { code, out: child.output(), ms: performance.now() - t0 };
}

/** KEY=VALUE lines as systemd reads them: a value in double quotes loses them and its \\ escapes. */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const value = m[2]!.trim();
    const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
    env[m[1]!] = quoted ? quoted[1]!.replace(/\\(.)/g, '$1') : value;
  }
  return env;
}

async function getStatus(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return { status: r.status, body: await r.text() };
  } catch {
    return undefined;
  }
}

interface RunningSite {
  pid: number;
  coldStartMs: number;
  /** the kernel's own peak RSS (VmHWM) of the site's processes, summed, MiB: a cross-check of the sampled peak */
  hwmMiB(): number | undefined;
  /** VmRSS of the site's processes now, summed, MiB */
  rssMiB(): number | undefined;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts apps/web/server.js (as startSite does: a clean environment plus `env`) and times spawn →
 * the first 200 from `pollUrl` (the page, directly or through httpd).
 */
async function launchSite(env: Record<string, string>, pollUrl: string, nodeOptions?: string): Promise<RunningSite> {
  // Added to the environment file's NODE_OPTIONS (the heap flags stay, e.g. under --cpu-prof).
  const merged = nodeOptions ? { NODE_OPTIONS: [env.NODE_OPTIONS, nodeOptions].filter(Boolean).join(' ') } : {};
  const site = await startSite({ ...env, ...merged }, { waitFor: { http: pollUrl }, readyMs: 30_000 });
  const untrack = track('site', site);
  const stop = async () => {
    await site.stop(10_000);
    untrack();
  };
  // With WORKERS > 1 the site is a primary and its workers: the sum over the tree (for VmHWM, an
  // upper bound: each process's own peak, not necessarily at the same moment).
  const treeMiB = (key: 'VmHWM' | 'VmRSS') => {
    const kb = processTree(site.pid).map((pid) => readKb(`/proc/${pid}/status`, key));
    return kb.some((v) => v === undefined) ? undefined : kb.reduce<number>((a, b) => a + b!, 0) / 1024;
  };
  const hwmMiB = () => treeMiB('VmHWM');
  const rssMiB = () => treeMiB('VmRSS');
  return { pid: site.pid, coldStartMs: site.coldStartMs, hwmMiB, rssMiB, output: () => site.output(), stop };
}

// ---------------------------------------------------------------- one stack, the anchor's protocol

interface Target {
  /** the page: .../kit-db-test/ or the anchor's .../flasktest/ */
  url: string;
  /** the Origin header for POST */
  origin: string;
  seed(): Promise<void>;
  checkpoint(): Promise<void>;
  rows(): Promise<number>;
  /** process trees to sample: name → root PID */
  sample: Record<string, number>;
  classify?: (cmd: string, root: string) => string;
  /** the status a committed write answers */
  committed: '303' | '2xx';
  /** daemons this run started that are not its children (PostgreSQL, the anchor's Apache), for the quiet check */
  daemons: number[];
}

interface Measured {
  figures: Figures;
  raw: { warmup: WrkResult; get: WrkResult; post: WrkResult; rss: Record<string, Record<string, MemoryPeak>>; rowsAfterPost: number; busyBefore: { get: number; post: number } };
}

/** The busiest the machine was just before a measured phase, while this bench was idle (0..1), per phase name. */
const busyBefore: Record<string, number> = {};
async function quietCheck(phase: string, daemons: number[]): Promise<number> {
  const { busy, foreign } = await machineBusy([process.pid, ...daemons], opts.quick ? 300 : 1000);
  busyBefore[phase] = foreign;
  if (foreign > 0.15) log(`WARNING: before ${phase} the machine was ${(foreign * 100).toFixed(0)} % busy with other work (${(busy * 100).toFixed(0)} % in all): the figures are skewed (compare only runs on a quiet machine)`);
  return foreign;
}

/** The postmaster's PID from its data directory. */
function postmasterPid(dataDir: string): number[] {
  try {
    return [Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])];
  } catch {
    return [];
  }
}

const strip = (r: WrkResult & { raw?: string }): WrkResult => {
  const { raw: _raw, ...rest } = r;
  return rest;
};

async function measure(name: string, t: Target): Promise<Measured> {
  await t.seed();
  log(`${name}: warm-up GET c${P.getC} t${P.threads} ${P.warmS}s (discarded)`);
  const warmup = await runWrk({ url: t.url, threads: P.threads, connections: P.getC, seconds: P.warmS, script: 'get' });

  await t.seed();
  await t.checkpoint();
  const busyGet = await quietCheck(`${name} GET`, t.daemons);
  log(`${name}: GET c${P.getC} t${P.threads} ${P.getS}s`);
  let sampler = new RssSampler(t.sample, t.classify);
  const get = await runWrk({ url: t.url, threads: P.threads, connections: P.getC, seconds: P.getS, script: 'get' });
  const rssGet = Object.fromEntries(sampler.stop());

  await t.seed();
  await t.checkpoint();
  const busyPost = await quietCheck(`${name} POST`, t.daemons);
  log(`${name}: POST c${P.postC} t${P.threads} ${P.postS}s`);
  sampler = new RssSampler(t.sample, t.classify);
  const post = await runWrk({ url: t.url, threads: P.threads, connections: P.postC, seconds: P.postS, script: 'post', origin: t.origin });
  const rssPost = Object.fromEntries(sampler.stop());
  await sleep(1000); // requests in flight when wrk stopped still commit
  const rowsAfterPost = await t.rows();

  const status = post.status!;
  const committed = t.committed === '303' ? status['303'] : status['2xx'];
  const others = post.requests - committed;
  const peak = (key: string) => {
    const v = [rssGet[key]?.rssMiB, rssPost[key]?.rssMiB].filter((x): x is number => x !== undefined);
    return v.length ? Math.max(...v) : undefined;
  };
  const figures: Figures = {
    getRps: get.rps,
    getP50Ms: get.latencyMs.p50,
    getP99Ms: get.latencyMs.p99,
    getErrors: errorCount(get),
    writesPerS: committed / post.durationS,
    postP50Ms: post.latencyMs.p50,
    postP99Ms: post.latencyMs.p99,
    writesCounted: committed,
    rowsInserted: rowsAfterPost - 50,
    postFailures: others + post.errors.connect + post.errors.read + post.errors.write + post.errors.timeout,
  };
  const app = peak('app');
  const httpd = peak('httpd');
  const total = peak('total');
  if (app !== undefined) figures.appRssMiB = app;
  if (httpd !== undefined) figures.httpdRssMiB = httpd;
  if (total !== undefined && httpd !== undefined) figures.totalRssMiB = total;
  const extra = rowsAfterPost - 50 - committed;
  log(
    `${name}: GET ${get.rps.toFixed(0)} req/s p99 ${get.latencyMs.p99.toFixed(1)} ms; POST ${committed} committed (${figures.writesPerS!.toFixed(0)}/s), ` +
      `${rowsAfterPost - 50} rows inserted (${extra === 0 ? 'equal' : `${extra > 0 ? '+' : ''}${extra}`}), ${others} other answers`,
  );
  return { figures, raw: { warmup: strip(warmup), get: strip(get), post: strip(post), rss: { get: rssGet, post: rssPost }, rowsAfterPost, busyBefore: { get: busyGet, post: busyPost } } };
}

/** The rows verification: every committed write is one row; up to `connections` more may commit after wrk stops counting. */
function verifyRows(m: Measured, connections: number): string {
  const extra = m.figures.rowsInserted! - m.figures.writesCounted!;
  if (extra === 0) return 'rows == 50 + committed writes';
  if (extra > 0 && extra <= connections) return `rows == 50 + committed writes + ${extra} (requests in flight when wrk stopped counting, ≤ c${connections})`;
  return `MISMATCH: ${m.figures.rowsInserted} rows inserted vs ${m.figures.writesCounted} committed writes counted`;
}

async function sanity(name: string, url: string, origin: string, rows: () => Promise<number>, rowPattern: RegExp, seed: () => Promise<void>, expectPost: number): Promise<void> {
  await seed();
  const page = await getStatus(url);
  const n = page ? (page.body.match(rowPattern) ?? []).length : 0;
  if (page?.status !== 200 || n !== 50) throw new Error(`${name}: GET ${url} answered ${page?.status ?? 'nothing'} with ${n} rows, expected 200 with 50`);
  const r = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin },
    body: 'stuff=sanity+check&things=one+row',
    signal: AbortSignal.timeout(5000),
  });
  await r.arrayBuffer();
  const after = await rows();
  if (r.status !== expectPost || after !== 51) throw new Error(`${name}: POST ${url} answered ${r.status} and left ${after} rows, expected ${expectPost} and 51`);
  log(`${name}: sanity OK (GET 200 with 50 rows; POST ${expectPost} stored 1 row)`);
}

// ---------------------------------------------------------------- our stack

interface Stack {
  db: 'pg' | 'sqlite';
  siteEnv: Record<string, string>;
  adminEnv: Record<string, string>;
  publicUrl: string;
  directUrl: string;
  publicOrigin: string;
  apache: Apache;
  doctorArgs: string[];
  daemons: number[];
  seed(): Promise<void>;
  /** inserts rows until the table holds ids 1..`rows` (after seed()), then refreshes the planner's statistics */
  grow(rows: number): Promise<void>;
  checkpoint(): Promise<void>;
  rows(): Promise<number>;
}

async function renderAndServe(db: 'pg' | 'sqlite', adminEnv: Record<string, string>, project: string, buildDir: string): Promise<{ siteEnv: Record<string, string>; apache: Apache; publicUrl: string; directUrl: string; publicOrigin: string; envFile: string; out: string; sitePort: number }> {
  const [apachePort, sitePort] = [await freePort(), await freePort()];
  const publicOrigin = `http://127.0.0.1:${apachePort}`;
  const out = join(project, 'rendered');
  const render = await runAdmin(['ops', 'render', '--layout', 'debian', '--out', out, '--public-url', `${publicOrigin}${BASE}`, '--port', String(sitePort), '--base-path', BASE], adminEnv);
  if (render.code !== 0) throw new Error(`${db}: ops render failed:\n${render.out}`);
  const envFile = join(out, 'etc/kit-db-test/kit-db-test.env');
  appendFileSync(envFile, `KDT_BUILD_DIR=${buildDir}\n`);
  const siteEnv = { ...parseEnvFile(readFileSync(envFile, 'utf8')), ...adminEnv };
  if (siteEnv.ORIGIN !== publicOrigin) throw new Error(`${db}: the rendered environment file says ORIGIN=${siteEnv.ORIGIN}, expected ${publicOrigin}`);
  const vhost = readFileSync(join(out, 'etc/apache2/sites-available/kit-db-test.conf'), 'utf8');
  const apache = await startApache({ site: vhost, port: apachePort, preamble: `Define KDT_HTTP_PORT ${apachePort}` });
  defer(`${db}: apache2 pid ${apache.pid}`, () => apache.stop());
  return { siteEnv, apache, publicUrl: `${publicOrigin}${BASE}/`, directUrl: `http://127.0.0.1:${sitePort}${BASE}/`, publicOrigin, envFile, out, sitePort };
}

async function pgStack(server: PgServer, buildDir: string): Promise<Stack> {
  const project = tempProject();
  defer('pg: project folder', () => project.remove());
  const password = `bench-${randomBytes(9).toString('base64url')}`;
  const passwordFile = project.writeFile('db-password', `${password}\n`);
  log(`pg: starting a throwaway PostgreSQL ${server.version} (${server.kind}, ${server.bin})`);
  const cluster = await startPostgres({ server, hba: 'local all postgres trust' });
  defer(`pg: PostgreSQL (${cluster.dataDir})`, () => cluster.destroy());
  // Over the unix socket, as config/postgres.json and the guides deploy it.
  const databaseUrl = `postgresql://kdt@/kdt?host=${cluster.socketDir}&port=${cluster.port}`;
  const adminEnv = { KDT_ROOT: project.root, DATABASE_URL: databaseUrl, DATABASE_PASSWORD_FILE: passwordFile };
  const served = await renderAndServe('pg', adminEnv, project.root, buildDir);
  // The role and database from the rendered SQL (password on standard input), the rendered pg_hba lines first.
  const psqlBin = existsSync(join(server.bin, 'psql')) ? join(server.bin, 'psql') : 'psql';
  const psql = sh(psqlBin, ['-X', '-h', cluster.socketDir, '-p', String(cluster.port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-f', join(served.out, 'postgres/create-role-and-database.sql')], { input: `${password}\n` });
  if (psql.code !== 0) throw new Error(`pg: the rendered SQL failed:\n${psql.out}\n${psql.err}`);
  const hbaLines = readFileSync(join(served.out, 'postgres/pg_hba-kit-db-test.conf'), 'utf8');
  await cluster.setHba(['local   all   postgres   trust', hbaLines, 'local   all   all   peer', 'host    all   all   127.0.0.1/32   scram-sha-256'].join('\n'));
  const init = await runAdmin(['init-database'], adminEnv);
  if (init.code !== 0) throw new Error(`pg: init-database failed:\n${init.out}`);
  const superUrl = `postgresql://postgres@/kdt?host=${encodeURIComponent(cluster.socketDir)}&port=${cluster.port}`;
  return {
    db: 'pg',
    ...served,
    adminEnv,
    daemons: postmasterPid(cluster.dataDir),
    doctorArgs: ['--env-file', served.envFile, '--httpd-config', served.apache.config, '--hba-file', cluster.hbaFile, '--server-log', join(cluster.dir, 'server.log'), '--public-url', served.publicUrl],
    // The anchor's pgbench/seed.sql: exactly 50 rows, ids 1..50.
    seed: async () => {
      await query(superUrl, "TRUNCATE stuff RESTART IDENTITY; INSERT INTO stuff (stuff, things) SELECT 'stuff ' || g, 'Things for row ' || g || ': lorem ipsum dolor sit amet.' FROM generate_series(1, 50) AS g");
    },
    grow: async (rows) => {
      await query(
        superUrl,
        "INSERT INTO stuff (stuff, things) SELECT 'stuff ' || g, 'Things for row ' || g || ': lorem ipsum dolor sit amet.' FROM generate_series((SELECT coalesce(max(id), 0) + 1 FROM stuff), $1) AS g",
        [rows],
      );
      // What autovacuum does within a minute of such an insert: the page's estimate reads these statistics.
      await query(superUrl, 'ANALYZE stuff');
      await query(superUrl, 'CHECKPOINT');
    },
    checkpoint: async () => {
      await query(superUrl, 'CHECKPOINT');
    },
    rows: async () => (await query<{ n: number }>(superUrl, 'SELECT count(*)::int AS n FROM stuff'))[0]!.n,
  };
}

async function sqliteStack(buildDir: string): Promise<Stack> {
  const project = tempProject();
  defer('sqlite: project folder', () => project.remove());
  mkdirSync(join(project.root, 'data'));
  const file = join(project.root, 'data', 'kit-db-test.sqlite');
  const adminEnv = { KDT_ROOT: project.root, DATABASE_URL: `sqlite:${file}` };
  const init = await runAdmin(['init-database'], adminEnv);
  if (init.code !== 0) throw new Error(`sqlite: init-database failed:\n${init.out}`);
  const served = await renderAndServe('sqlite', adminEnv, project.root, buildDir);
  const withDb = <T>(fn: (db: DatabaseSync) => T): T => {
    const db = new DatabaseSync(file);
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    db: 'sqlite',
    ...served,
    adminEnv,
    daemons: [],
    doctorArgs: ['--env-file', served.envFile, '--httpd-config', served.apache.config, '--public-url', served.publicUrl],
    seed: async () =>
      withDb((db) => {
        const hasSequence = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get();
        db.exec(`BEGIN IMMEDIATE;
          DELETE FROM stuff;
          ${hasSequence ? "DELETE FROM sqlite_sequence WHERE name = 'stuff';" : ''}
          WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 50)
          INSERT INTO stuff (id, stuff, things) SELECT n, 'stuff ' || n, 'Things for row ' || n || ': lorem ipsum dolor sit amet.' FROM g;
          COMMIT;`);
      }),
    grow: async (rows) =>
      withDb((db) => {
        db.prepare(
          "WITH RECURSIVE g(n) AS (SELECT (SELECT coalesce(max(id), 0) + 1 FROM stuff) UNION ALL SELECT n + 1 FROM g WHERE n < ?) INSERT INTO stuff (id, stuff, things) SELECT n, 'stuff ' || n, 'Things for row ' || n || ': lorem ipsum dolor sit amet.' FROM g",
        ).run(rows);
        db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      }),
    checkpoint: async () => withDb((db) => void db.exec('PRAGMA wal_checkpoint(TRUNCATE)')),
    rows: async () => withDb((db) => Number((db.prepare('SELECT count(*) AS n FROM stuff').get() as { n: number }).n)),
  };
}

async function coldStarts(stack: Stack, count: number): Promise<{ direct: number[]; httpd: number[] }> {
  const direct: number[] = [];
  const httpd: number[] = [];
  for (const [list, url] of [
    [direct, stack.directUrl],
    [httpd, stack.publicUrl],
  ] as const) {
    for (let i = 0; i < count; i++) {
      const site = await launchSite(stack.siteEnv, url);
      list.push(site.coldStartMs);
      await site.stop();
    }
  }
  return { direct, httpd };
}

async function doctorTimes(stack: Stack): Promise<{ node: number[]; pnpm: number[]; ok: boolean; failed: string[] }> {
  const node: number[] = [];
  const pnpm: number[] = [];
  let ok = true;
  const failed = new Set<string>();
  for (let i = 0; i < P.doctorRuns; i++) {
    for (const viaPnpm of [false, true]) {
      const r = await runAdmin(['doctor', '--json', ...stack.doctorArgs], stack.adminEnv, viaPnpm);
      (viaPnpm ? pnpm : node).push(r.ms);
      try {
        const report = JSON.parse(r.out.slice(r.out.indexOf('{'))) as { ok: boolean; checks: { id: string; status: string; summary: string }[] };
        if (!report.ok || r.code !== 0) ok = false;
        for (const c of report.checks) if (c.status === 'fail') failed.add(`${c.id}: ${c.summary}`);
      } catch {
        ok = false;
        failed.add(`no JSON (exit ${r.code}): ${r.out.slice(0, 500)}`);
      }
    }
  }
  return { node, pnpm, ok, failed: [...failed] };
}

async function healthLatency(url: string): Promise<WrkResult> {
  return strip(await runWrk({ url: `${url}health`, threads: 1, connections: 1, seconds: P.healthS, script: 'get' }));
}

interface StackResult {
  httpd: Measured;
  /** through httpd with other settings (WORKERS=auto, V8's default heap), by label */
  variants: Record<string, Measured>;
  direct: Measured;
  healthHttpd: WrkResult;
  healthDirect: WrkResult;
  cold: { direct: number[]; httpd: number[] };
  doctor: { node: number[]; pnpm: number[]; ok: boolean; failed: string[] };
  siteOutput: string;
  /** VmHWM of the site process after all its loads, MiB */
  siteHwmMiB: number | undefined;
  rowsCheck: Record<string, string> & { httpd: string; direct: string };
  profile?: ReturnType<typeof summarizeCpuProfile> & { getRps: number; file: string };
  growth?: GrowthPoint[];
}

/** What measure() loads on our stack: the page through httpd (sampling the site and httpd) or directly (the site only). */
function stackTarget(stack: Stack, via: 'httpd' | 'direct', sitePid: number): Target {
  return {
    url: via === 'httpd' ? stack.publicUrl : stack.directUrl,
    origin: stack.publicOrigin,
    seed: stack.seed,
    checkpoint: stack.checkpoint,
    rows: stack.rows,
    sample: via === 'httpd' ? { app: sitePid, httpd: stack.apache.pid } : { app: sitePid },
    committed: '303',
    daemons: stack.daemons,
  };
}

interface Variant {
  id: ColumnId;
  label: string;
  env: Record<string, string>;
  nodeOptions?: string;
}


async function benchStack(stack: Stack, columns: Columns, ids: { httpd: ColumnId; direct: ColumnId; variants?: Variant[] }): Promise<StackResult> {
  const name = stack.db === 'pg' ? 'PostgreSQL' : 'SQLite';
  log(`${name}: cold starts (spawn → first 200), ${P.coldStarts} direct and ${P.coldStarts} through httpd`);
  const cold = await coldStarts(stack, P.coldStarts);
  let site = await launchSite(stack.siteEnv, stack.directUrl);
  let stopSite = defer(`${name}: site pid ${site.pid}`, () => site.stop());
  cold.direct.push(site.coldStartMs);
  await sanity(`${name} via httpd`, stack.publicUrl, stack.publicOrigin, stack.rows, /<tr data-id=/g, stack.seed, 303);
  const startRssMiB = site.rssMiB();

  const httpd = await measure(`${name} via httpd`, stackTarget(stack, 'httpd', site.pid));
  const direct = await measure(`${name} direct`, stackTarget(stack, 'direct', site.pid));
  await stack.seed();
  log(`${name}: /health latency, 1 connection, ${P.healthS}s each, direct and through httpd`);
  const healthDirect = await healthLatency(stack.directUrl);
  const healthHttpd = await healthLatency(stack.publicUrl);
  log(`${name}: admin doctor on the healthy stack, ${P.doctorRuns}× (node dist/bin.js and pnpm admin)`);
  const doctor = await doctorTimes(stack);
  if (!doctor.ok) log(`${name}: the doctor did not pass: ${doctor.failed.join('; ')}`);
  log(`${name}: the site process's own peak RSS (VmHWM) after the loads: ${site.hwmMiB()?.toFixed(1)} MiB`);

  // The site's own peak under the rendered configuration, before the variants below replace it.
  const siteHwmMiB = site.hwmMiB();
  const siteOutput = site.output();
  // The same stack through httpd with other settings than the rendered file's: the issue asks for
  // the single- and the multi-process figures side by side (WORKERS=auto), and the memory target
  // for what capping V8's heap costs (NODE_OPTIONS).
  const variants: Record<string, Measured> = {};
  for (const variant of ids.variants ?? []) {
    await stopSite();
    site = await launchSite({ ...stack.siteEnv, ...variant.env }, stack.directUrl, variant.nodeOptions);
    stopSite = defer(`${name}: ${variant.label} site pid ${site.pid}`, () => site.stop());
    await sanity(`${name} via httpd, ${variant.label}`, stack.publicUrl, stack.publicOrigin, stack.rows, /<tr data-id=/g, stack.seed, 303);
    const variantStartRss = site.rssMiB();
    const measured = await measure(`${name} via httpd, ${variant.label}`, stackTarget(stack, 'httpd', site.pid));
    variants[variant.label] = measured;
    columns[variant.id] = { ...measured.figures, ...(variantStartRss === undefined ? {} : { startRssMiB: variantStartRss }) };
  }

  const result: StackResult = {
    variants,
    httpd,
    direct,
    healthHttpd,
    healthDirect,
    cold,
    doctor,
    siteOutput,
    siteHwmMiB,
    rowsCheck: { httpd: verifyRows(httpd, P.postC), direct: verifyRows(direct, P.postC), ...Object.fromEntries(Object.entries(variants).map(([label, m]) => [label, verifyRows(m, P.postC)])) },
  };
  if (opts.cpuProf && stack.db === 'pg') {
    await stopSite();
    const dir = mkdtempSync(join(os.tmpdir(), 'kdt-bench-prof-'));
    defer('profile folder', () => rmSync(dir, { recursive: true, force: true }));
    // One process, so that the one profile written is the one that served the load.
    site = await launchSite({ ...stack.siteEnv, WORKERS: '1' }, stack.directUrl, `--cpu-prof --cpu-prof-dir=${dir}`);
    stopSite = defer(`${name}: profiled site pid ${site.pid}`, () => site.stop());
    await stack.seed();
    log(`${name}: CPU profile (WORKERS=1): warm-up ${P.warmS}s, then GET c${P.getC} ${P.getS}s through httpd under --cpu-prof`);
    await runWrk({ url: stack.publicUrl, threads: P.threads, connections: P.getC, seconds: P.warmS, script: 'get' });
    const get = await runWrk({ url: stack.publicUrl, threads: P.threads, connections: P.getC, seconds: P.getS, script: 'get' });
    await stopSite();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) log(`${name}: the profiled site wrote no .cpuprofile`);
    else {
      const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
      const keep = join(ROOT, '.bench-results', `site-get-${stamp}.cpuprofile`);
      mkdirSync(dirname(keep), { recursive: true });
      writeFileSync(keep, JSON.stringify(profile));
      result.profile = { ...summarizeCpuProfile(profile, 25), getRps: get.rps, file: keep.slice(ROOT.length + 1) };
    }
  }
  await stopSite();
  // Last: it leaves the table at its largest size.
  result.growth = await growthCurve(name, stack);

  const f = (m: Measured, h: WrkResult, coldMs: number[]): Figures => ({ ...m.figures, healthP50Ms: h.latencyMs.p50, healthP99Ms: h.latencyMs.p99, coldStartMs: median(coldMs)! });
  columns[ids.httpd] = { ...f(httpd, healthHttpd, cold.httpd), doctorMs: median(doctor.node)!, pnpmDoctorMs: median(doctor.pnpm)! };
  columns[ids.direct] = { ...f(direct, healthDirect, cold.direct), ...(startRssMiB === undefined ? {} : { startRssMiB }) };
  return result;
}

/**
 * The growth curve: the rendered configuration's site, direct, with the table grown to each size
 * in turn (seeded in the database, not through the site): GET / and a page in the middle of the
 * table (?before= half the rows), each after a warm-up of its own.
 */
async function growthCurve(name: string, stack: Stack): Promise<GrowthPoint[]> {
  const site = await launchSite(stack.siteEnv, stack.directUrl);
  const stop = defer(`${name}: growth site pid ${site.pid}`, () => site.stop());
  await stack.seed();
  const points: GrowthPoint[] = [];
  for (const rows of P.growthSizes) {
    const t0 = performance.now();
    await stack.grow(rows);
    const seedS = (performance.now() - t0) / 1000;
    const deepUrl = `${stack.directUrl}?before=${Math.floor(rows / 2)}`;
    // The first views after a large insert read its pages from disk: give them 30 s, not getStatus's 5.
    for (const url of [stack.directUrl, deepUrl]) {
      let page: Awaited<ReturnType<typeof getStatus>>;
      let shown = 0;
      const until = performance.now() + 30_000;
      do {
        page = await getStatus(url);
        shown = page ? (page.body.match(/<tr data-id=/g) ?? []).length : 0;
      } while ((page?.status !== 200 || shown !== 50) && performance.now() < until && (await sleep(500), true));
      if (page?.status !== 200 || shown !== 50) {
        throw new Error(`${name}: growth at ${rows} rows: GET ${url} answered ${page?.status ?? 'nothing'} with ${shown} rows, expected 200 with 50; the site printed:\n${site.output().slice(-2000)}`);
      }
    }
    const load = async (url: string) => {
      await runWrk({ url, threads: P.threads, connections: P.getC, seconds: P.growthWarmS, script: 'get' });
      await quietCheck(`${name} growth ${rows} rows ${url === deepUrl ? 'deep page' : 'GET /'}`, stack.daemons);
      return runWrk({ url, threads: P.threads, connections: P.getC, seconds: P.growthS, script: 'get' });
    };
    log(`${name}: growth at ${rows} rows (seeded in ${seedS.toFixed(1)} s): GET / and ?before=${Math.floor(rows / 2)}, c${P.getC} ${P.growthS}s each`);
    const get = await load(stack.directUrl);
    const deep = await load(deepUrl);
    points.push({
      rows,
      seedS,
      getRps: get.rps,
      getP50Ms: get.latencyMs.p50,
      getP99Ms: get.latencyMs.p99,
      getErrors: errorCount(get),
      deepRps: deep.rps,
      deepP50Ms: deep.latencyMs.p50,
      deepP99Ms: deep.latencyMs.p99,
      deepErrors: errorCount(deep),
    });
    log(`${name}: ${rows} rows: GET / ${get.rps.toFixed(0)} req/s p50 ${get.latencyMs.p50.toFixed(2)} ms; deep page ${deep.rps.toFixed(0)} req/s p50 ${deep.latencyMs.p50.toFixed(2)} ms`);
  }
  await stop();
  return points;
}

// ---------------------------------------------------------------- the anchor

async function benchAnchor(columns: Columns): Promise<{ measured: Measured; versions: string; rowsCheck: string }> {
  const runSh = join(ANCHOR_DIR, 'run.sh');
  if (!existsSync(runSh)) throw new Error(`--with-anchor: ${runSh} not found (the shared folder sits beside the repository: <root>/../shared/anchors/seed-stack, or set BENCH_ANCHOR_DIR)`);
  if (process.getuid?.() !== 0) throw new Error('--with-anchor: the anchor runs as root (its Apache drops to www-data, its PostgreSQL runs as postgres)');
  ensurePackages(['apache2', 'libapache2-mod-wsgi-py3', 'python3-flask', 'python3-flask-sqlalchemy', 'python3-flaskext.wtf', 'python3-psycopg2', 'wrk']);
  const [pgPort, httpPort] = [await freePort(), await freePort()];
  // A fresh run dir under /tmp (run.sh insists), so nothing of ours or a previous anchor run is reused.
  const runDir = `/tmp/kdt-bench-anchor-${process.pid}-${randomBytes(4).toString('hex')}`;
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', SEED_RUN_DIR: runDir, PG_PORT: String(pgPort), HTTP_PORT: String(httpPort) };
  const stopAnchor = defer(`anchor: ./run.sh stop (${runDir})`, () => {
    const r = sh(runSh, ['stop'], { env, timeoutMs: 90_000 });
    if (r.code !== 0) log(`anchor: run.sh stop exited ${r.code}: ${r.err}`);
  });
  log(`anchor: ./run.sh start (PG_PORT=${pgPort} HTTP_PORT=${httpPort} SEED_RUN_DIR=${runDir})`);
  const start = sh(runSh, ['start'], { env, timeoutMs: 180_000 });
  if (start.code !== 0) throw new Error(`anchor: run.sh start failed (${start.code}):\n${start.out}\n${start.err}`);
  const apachePid = Number(readFileSync(join(runDir, 'apache', 'httpd.pid'), 'utf8').trim());
  const psql = (args: string[]) => {
    const r = sh('runuser', ['-u', 'postgres', '--', '/usr/lib/postgresql/15/bin/psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', join(runDir, 'pgsock'), '-p', String(pgPort), '-U', 'postgres', '-d', 'flasktest', ...args], { cwd: '/' });
    if (r.code !== 0) throw new Error(`anchor: psql ${args.join(' ')}: ${r.err}`);
    return r.out;
  };
  const url = `http://127.0.0.1:${httpPort}/flasktest/`;
  const origin = `http://127.0.0.1:${httpPort}`;
  const seed = async () => void psql(['-f', join(ANCHOR_DIR, 'pgbench', 'seed.sql')]);
  const rows = async () => Number(psql(['-Atc', 'SELECT count(*) FROM stuff']).trim());
  await sanity('anchor', url, origin, rows, /<tr><td>/g, seed, 200);
  const measured = await measure('anchor', {
    url,
    origin,
    seed,
    checkpoint: async () => void psql(['-c', 'CHECKPOINT']),
    rows,
    sample: { httpd: apachePid },
    // The anchor's rss_sampler.py: the (wsgi:flasktest) daemons apart from Apache's parent and MPM children.
    classify: (cmd) => (cmd.startsWith('(wsgi:') ? 'app' : 'httpd'),
    committed: '2xx',
    daemons: [apachePid, ...postmasterPid(join(runDir, 'pgdata'))],
  });
  const versions = sh('dpkg-query', ['-W', '-f=${Package} ${Version}\\n', 'apache2', 'libapache2-mod-wsgi-py3', 'python3-flask', 'python3-flask-sqlalchemy', 'python3-flaskext.wtf', 'python3-sqlalchemy', 'python3-psycopg2', 'postgresql-15']).out.trim();
  await stopAnchor();
  columns.anchor = measured.figures;
  return { measured, versions, rowsCheck: verifyRows(measured, P.postC) };
}

// ---------------------------------------------------------------- machine and packages

function ensurePackages(packages: string[]): void {
  const missing = packages.filter((p) => sh('dpkg-query', ['-W', '-f=${Status}', p]).out !== 'install ok installed');
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`missing Debian packages: ${missing.join(' ')} (as root: apt-get install --no-install-recommends ${missing.join(' ')})`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing]]) {
    const r = sh('apt-get', args, { env, timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(`apt-get ${args.join(' ')} failed:\n${r.out}\n${r.err}`);
  }
}

function environment(server: PgServer | undefined): Environment {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const mem = /^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  const pkg = (p: string) => sh('dpkg-query', ['-W', '-f=${Version}', p]).out.trim() || 'not installed';
  const commit = sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']).out.trim();
  const dirty = sh('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no']).out.trim() !== '';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: os.availableParallelism(),
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    kernel: os.release(),
    memory: mem ? `${(Number(mem[1]) / 1024 / 1024).toFixed(1)} GiB` : 'unknown',
    versions: {
      'kit-db-test': `${commit || 'unknown'}${dirty ? ' (with uncommitted changes)' : ''}`,
      node: process.version,
      PostgreSQL: server ? `${firstLine(sh(join(server.bin, 'postgres'), ['--version']).out)} (${server.kind}, ${server.bin})` : 'none',
      apache2: `${firstLine(sh('/usr/sbin/apache2', ['-v']).out).replace(/^Server version:\s*/, '')} (${pkg('apache2')})`,
      wrk: pkg('wrk'),
    },
  };
}

// ---------------------------------------------------------------- main

const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

async function main(): Promise<void> {
  if (!existsSync(ADMIN_BIN) || !existsSync(join(WEB, 'build', 'handler.js'))) throw new Error('the site and the admin CLI are not built: pnpm build (pnpm bench runs through turbo, which builds them first)');
  // Before any load: a missing anchor would otherwise fail the run after all our own figures.
  if (opts.withAnchor && !existsSync(join(ANCHOR_DIR, 'run.sh'))) throw new Error(`--with-anchor: ${join(ANCHOR_DIR, 'run.sh')} not found (the shared folder sits beside the repository: <root>/../shared/anchors/seed-stack, or set BENCH_ANCHOR_DIR)`);
  if (!existsSync('/usr/sbin/apache2')) throw new Error('apache2 is not installed (as root: apt-get install --no-install-recommends apache2)');
  if (sh('sh', ['-c', 'command -v wrk']).code !== 0) {
    if (process.getuid?.() === 0) ensurePackages(['wrk']);
    else throw new Error("wrk is not installed: Debian's wrk package (as root: apt-get install --no-install-recommends wrk)");
  }
  // The system's server, Debian's PostgreSQL 15 like the anchor; the npm registry's build only when there is none.
  let server: PgServer;
  try {
    server = pgServers({ ...process.env, KDT_PG_SERVERS: 'system' })[0]!;
  } catch {
    server = pgServers({ ...process.env, KDT_PG_SERVERS: 'embedded' })[0]!;
    log(`no system PostgreSQL: using the npm registry's ${server.version}`);
  }
  const env = environment(server);
  log(`machine: ${env.nproc} × ${env.cpuModel}; ${Object.entries(env.versions).map(([k, v]) => `${k} ${v}`).join('; ')}`);

  log(`building the site for ${BASE} (buildSite)`);
  const buildDir = buildSite(BASE);
  const columns: Columns = {};
  const notes: string[] = [];
  const raw: Record<string, unknown> = {};

  const pg = await pgStack(server, buildDir);
  const pgResult = await benchStack(pg, columns, {
    httpd: 'pg-httpd',
    direct: 'pg-direct',
    // --quick keeps under 2 minutes: the rendered configuration only.
    variants: opts.quick
      ? []
      : [
          { id: 'pg-httpd-workers', label: 'WORKERS=auto', env: { WORKERS: 'auto' } },
          // What the rendered NODE_OPTIONS buy: the same process with V8 sizing its heap from the machine's memory.
          { id: 'pg-httpd-default-heap', label: 'V8 default heap', env: { WORKERS: '1', NODE_OPTIONS: '' } },
        ],
  });
  raw.pg = pgResult;
  await stopStack();

  let sqliteResult: StackResult | undefined;
  if (opts.sqlite) {
    const lite = await sqliteStack(buildDir);
    sqliteResult = await benchStack(lite, columns, { httpd: 'sqlite-httpd', direct: 'sqlite-direct' });
    raw.sqlite = sqliteResult;
    await stopStack();
  }

  let anchor: Awaited<ReturnType<typeof benchAnchor>> | undefined;
  if (opts.withAnchor) {
    anchor = await benchAnchor(columns);
    raw.anchor = anchor;
  }

  // ---- notes: what the figures mean and what was verified
  notes.push(
    `Our stack: the rendered Debian reverse-proxy site (\`pnpm admin ops render --layout debian\`) in a private apache2 (mpm_event, ServerLimit 2 × ThreadsPerChild 25, no access log), the site (\`apps/web/server.js\`, the ${BASE} production build) with the rendered environment file's \`WORKERS=${pg.siteEnv.WORKERS ?? '1'}\` and \`NODE_OPTIONS="${pg.siteEnv.NODE_OPTIONS ?? ''}"\`, and twice more through httpd: with \`WORKERS=auto\` (one process per core, ${os.availableParallelism()} here, sharing one port through node:cluster) and with V8's default heap sizing (\`NODE_OPTIONS\` empty, one process), PostgreSQL over its unix socket with a scram-sha-256 role (the anchor connects over TCP loopback), SQLite in a temporary folder.`,
    `POST sends the anchor's body plus what a browser's plain form post sends: \`Origin: <public origin>\` (the site's ORIGIN) and \`Accept: text/html\` (without it SvelteKit answers its JavaScript form enhancement: 200 JSON instead of the 303); the anchor ignores both. The site answers a write with a 303 redirect (no page rendered), the anchor renders the whole, growing table. A committed write is a 303 for the site and a 200 for the anchor (it renders the page after COMMIT); writes/s = committed answers / run duration.`,
    `Rows verified after each POST run: PostgreSQL via httpd: ${pgResult.rowsCheck.httpd}; direct: ${pgResult.rowsCheck.direct}${Object.keys(pgResult.variants).map((label) => `; via httpd, ${label}: ${pgResult.rowsCheck[label]}`).join('')}${sqliteResult ? `; SQLite via httpd: ${sqliteResult.rowsCheck.httpd}; direct: ${sqliteResult.rowsCheck.direct}` : ''}${anchor ? `; anchor: ${anchor.rowsCheck}` : ''}.`,
    `Peak RSS: summed VmRSS of the process tree, sampled every 0.2 s during GET and POST (the anchor: its Apache parent and MPM children as httpd, the two (wsgi:flasktest) daemons as the app). "Direct" columns sample only the site. Cross-check, the kernel's own peak (VmHWM) of the site process after all its loads: PostgreSQL ${pgResult.siteHwmMiB?.toFixed(1)} MiB${sqliteResult ? `, SQLite ${sqliteResult.siteHwmMiB?.toFixed(1)} MiB` : ''}.`,
    `Cold start: spawn of \`node server.js\` to the first 200 of the page, polled every 5 ms (median of ${P.coldStarts + 1} direct, ${P.coldStarts} through httpd). The doctor: \`node apps/admin/dist/bin.js doctor --json\` with the environment file, \`--httpd-config\` of the private apache2${pg.db === 'pg' ? ', --hba-file, --server-log' : ''} and --public-url (median of ${P.doctorRuns}); \`pnpm admin doctor\` adds pnpm's own start-up. Doctor verdict: PostgreSQL ${pgResult.doctor.ok ? 'ok' : `NOT ok (${pgResult.doctor.failed.join('; ')})`}${sqliteResult ? `, SQLite ${sqliteResult.doctor.ok ? 'ok' : `NOT ok (${sqliteResult.doctor.failed.join('; ')})`}` : ''}.`,
    `/health: wrk -t1 -c1 for ${P.healthS} s (sequential requests on one keep-alive connection).`,
  );
  const busy = Object.entries(busyBefore).filter(([, v]) => v > 0.15);
  const maxQuiet = Math.max(0, ...Object.values(busyBefore).filter((v) => v <= 0.15));
  notes.push(
    busy.length > 0
      ? `**The machine was not quiet** before ${busy.map(([phase, v]) => `${phase} (${(v * 100).toFixed(0)} % busy with other work)`).join(', ')}: those figures are skewed; every other measured phase started on a quiet machine (≤ ${(maxQuiet * 100).toFixed(0)} %). Quiet check: 1 s of /proc/stat just before the phase, minus the CPU time of the bench's own processes.`
      : `Quiet check: just before each measured phase the machine was at most ${(maxQuiet * 100).toFixed(0)} % busy with other work (1 s of /proc/stat, minus the CPU time of the bench's own processes).`,
  );
  if (!opts.withAnchor) notes.push('No anchor in this run (`--with-anchor`): the relative targets are not judged.');
  if (anchor) notes.push(`Anchor packages: ${anchor.versions.replaceAll('\n', '; ')}.`);
  if (opts.quick) notes.push('--quick: shortened durations, a smoke run; not comparable with the protocol.');

  const growth: GrowthCurves = {};
  if (pgResult.growth) growth.PostgreSQL = pgResult.growth;
  if (sqliteResult?.growth) growth.SQLite = sqliteResult.growth;
  notes.push(
    `Growth curve: the rendered configuration's site, direct, one process; the table grown to ${P.growthSizes.map((n) => formatNumber(n, 0)).join(', ')} rows in turn with generate_series (PostgreSQL, then ANALYZE as autovacuum would) or a recursive CTE (SQLite), never through the site; at each size GET / and the page in the middle of the table (\`?before=\` half the rows), each after a ${P.growthWarmS} s warm-up, c${P.getC} for ${P.growthS} s.${opts.quick ? ' --quick: a smaller curve (1 thousand and 100 thousand rows only).' : ''}`,
  );
  const targets = [...evaluateTargets(columns), ...growthTargets(growth)];
  const profile = pgResult.profile ? `GET through httpd under --cpu-prof: ${pgResult.profile.getRps.toFixed(0)} req/s (the profiler slows it); profile: \`${pgResult.profile.file}\`.\n\n${profileTables(pgResult.profile)}` : undefined;

  const resultsFile = join('.bench-results', `${stamp}.json`);
  mkdirSync(join(ROOT, '.bench-results'), { recursive: true });
  writeFileSync(join(ROOT, resultsFile), `${JSON.stringify({ env, options: opts, protocol: P, columns, growth, targets, notes, busyBefore, raw }, null, 1)}\n`);
  const command = `pnpm bench${process.argv.slice(2).filter((a) => a !== '--').map((a) => ` ${a}`).join('')}`;
  const doc = benchmarksDocument({ env, command, columns, targets, notes, growth: growthTable(growth), ...(profile ? { profile } : {}), resultsFile });
  if (!opts.quick) writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), doc);

  console.log(`\n${figuresTable(columns)}\n\n${growthTable(growth)}\n\n${targetsTable(targets)}\n`);
  if (profile) console.log(`${profile}\n`);
  console.log(`results: ${resultsFile}${opts.quick ? ' (--quick: docs/benchmarks.md left alone)' : '; docs/benchmarks.md updated'}`);
}

/** Stops what a finished stack started (its site, apache2, PostgreSQL, folders) before the next one. */
async function stopStack(): Promise<void> {
  while (cleanups.length > 0) {
    const { name, fn } = cleanups.pop()!;
    try {
      await fn();
    } catch (error) {
      log(`stopping ${name}: ${(error as Error).message}`);
    }
  }
}

try {
  await main();
  await cleanupAll();
  clearTimeout(watchdog);
} catch (error) {
  if (!interrupted) log(`FAILED: ${(error as Error).stack ?? error}`);
  await cleanupAll();
  clearTimeout(watchdog);
  process.exitCode = 1;
}
