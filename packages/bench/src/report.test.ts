import { describe, expect, it } from 'vitest';
import { parseProcStat, parseStatCpu, parseStatPpid } from './processes.ts';
import { evaluateTargets, figuresTable, formatRatio, median, packageOf, ratio, shortUrl, summarizeCpuProfile, targetsTable, type Columns } from './report.ts';
import { errorCount, parseWrkOutput, wrkArgs } from './wrk.ts';
import { growthTable, growthTargets, type GrowthPoint } from './growth.ts';

const WRK_OUTPUT = `Running 15s test @ http://127.0.0.1:8081/flasktest/
  2 threads and 32 connections
  Latency Distribution
     50%   40.22ms
     99%  122.21ms
  11031 requests in 15.02s, 62.99MB read
Requests/sec:    734.50
WRKJSON {"requests":11031,"duration_s":15.018,"bytes":66052154,"rps":734.52,"lat_mean_us":44630.1,"lat_stdev_us":20011.5,"lat_p50_us":40220,"lat_p90_us":70001,"lat_p99_us":122210,"lat_max_us":243600,"err_connect":0,"err_read":0,"err_write":0,"err_status":2,"err_timeout":1}
`;

describe('wrk output', () => {
  it('reads the WRKJSON line in milliseconds', () => {
    const r = parseWrkOutput(WRK_OUTPUT);
    expect(r).toMatchObject({ requests: 11031, durationS: 15.018, rps: 734.52, latencyMs: { p50: 40.22, p99: 122.21, max: 243.6 } });
    expect(r.status).toBeUndefined();
    expect(errorCount(r)).toBe(3);
  });

  it('reads the status counts post.lua adds', () => {
    const r = parseWrkOutput(WRK_OUTPUT.replace('"err_timeout":1}', '"err_timeout":0,"status":{"2xx":0,"303":1630,"3xx_other":0,"4xx":2,"5xx":0}}'));
    expect(r.status).toEqual({ '2xx': 0, '303': 1630, '3xx_other': 0, '4xx': 2, '5xx': 0 });
  });

  it('fails clearly without the line, or with a field that is not a number', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(/no WRKJSON line.*Connection refused/s);
    expect(() => parseWrkOutput(WRK_OUTPUT.replace('"rps":734.52', '"rps":"x"'))).toThrow(/rps is not a number/);
  });

  it('runs the anchor protocol: --latency, a 10 s timeout, the script', () => {
    expect(wrkArgs({ url: 'http://127.0.0.1:1/x/', threads: 2, connections: 32, seconds: 15, script: 'get' }).join(' ')).toMatch(/^-t2 -c32 -d15s --timeout 10s --latency -s \S+\/load\/get\.lua http:\/\/127\.0\.0\.1:1\/x\/$/);
  });
});

describe('ratios, table and targets', () => {
  const columns: Columns = {
    'pg-httpd': { getRps: 2400, getP99Ms: 30, writesPerS: 900, appRssMiB: 95.5, httpdRssMiB: 12, totalRssMiB: 107.5, doctorMs: 1700, coldStartMs: 400 },
    'pg-direct': { getRps: 3000, healthP50Ms: 0.8, appRssMiB: 201.2, coldStartMs: 350 },
    anchor: { getRps: 750, getP99Ms: 118, writesPerS: 163, appRssMiB: 120, httpdRssMiB: 44, totalRssMiB: 164 },
  };

  it('ratio and its format', () => {
    expect(ratio(2400, 750)).toBe(3.2);
    expect(ratio(1, 0)).toBeUndefined();
    expect(ratio(undefined, 3)).toBeUndefined();
    expect(formatRatio(3.2)).toBe('3.20×');
    expect(formatRatio(12.345)).toBe('12.3×');
    expect(formatRatio(undefined)).toBe('–');
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('prints one column per stack and the ratio ours / anchor', () => {
    const table = figuresTable(columns).split('\n');
    expect(table[0]).toBe('| figure | PostgreSQL, via httpd | PostgreSQL, direct | anchor (2015 stack, via its Apache) | ratio PG via httpd / anchor |');
    expect(table[1]).toBe('| --- | ---: | ---: | ---: | ---: |');
    expect(table).toContain('| GET / req/s (c32, 15 s) | 2 400 | 3 000 | 750 | 3.20× |');
    expect(table).toContain('| /health p50 ms (1 connection) | – | 0.800 | – | – |');
    expect(table.some((l) => l.startsWith('| POST / p50'))).toBe(false); // no column has it
    expect(figuresTable({ ...columns, 'pg-httpd': { getErrors: 0 }, anchor: { getErrors: 1 } })).toContain('| GET / errors | 0 | – | 1 |  |');
  });

  it('judges each target, and says by how much one is missed', () => {
    const t = Object.fromEntries(evaluateTargets(columns).map((r) => [r.target, r]));
    expect(t['GET req/s ≥ 3× anchor']).toMatchObject({ met: true });
    expect(t['GET p99 ≤ 1/3 of anchor']).toMatchObject({ met: true });
    expect(t['committed writes ≥ 5× anchor POST rate']).toMatchObject({ met: true, measured: '5.52× (900 vs 163 writes/s)' });
    expect(t['site RSS ≤ 200 MiB at peak']).toMatchObject({ met: false, measured: '201.2 MiB', gap: '1.2 MiB (1 %) over' });
    expect(t['/health p50 < 2 ms direct']).toMatchObject({ met: true });
    expect(t['doctor < 1.5 s (healthy stack)']).toMatchObject({ met: false, gap: '200 ms (13 %) over' });
    expect(t['cold start < 1 s (spawn → first 200)']).toMatchObject({ met: true });
    const short = evaluateTargets({ ...columns, 'pg-httpd': { ...columns['pg-httpd'], getRps: 1500 } });
    expect(short[0]).toMatchObject({ met: false, gap: '2.00× of 3.00×: needs 1.50× the measured figure' });
    expect(evaluateTargets({ ...columns, 'pg-httpd': { ...columns['pg-httpd'], getP99Ms: 59 } })[1]).toMatchObject({ met: false, gap: '0.50× vs at most 0.33×: needs 1.50× lower' });
    expect(targetsTable(short)).toContain('| GET req/s ≥ 3× anchor | 2.00× (1 500 vs 750 req/s) | **not met** (2.00× of 3.00×: needs 1.50× the measured figure) |');
  });

  it('judges the WORKERS=auto run as well, with its own ratio column, when it was measured', () => {
    const withWorkers: Columns = { ...columns, 'pg-httpd-workers': { getRps: 1500, getP99Ms: 50, writesPerS: 820, appRssMiB: 198 } };
    const table = figuresTable(withWorkers).split('\n');
    expect(table[0]).toBe('| figure | PostgreSQL, via httpd | PostgreSQL, via httpd, WORKERS=auto | PostgreSQL, direct | anchor (2015 stack, via its Apache) | ratio PG via httpd / anchor | ratio WORKERS=auto / anchor |');
    expect(table).toContain('| GET / req/s (c32, 15 s) | 2 400 | 1 500 | 3 000 | 750 | 3.20× | 2.00× |');
    const t = Object.fromEntries(evaluateTargets(withWorkers).map((r) => [r.target, r]));
    expect(t['GET req/s ≥ 3× anchor']).toMatchObject({ met: true });
    expect(t['GET req/s ≥ 3× anchor (WORKERS=auto)']).toMatchObject({ met: false, measured: '2.00× (1 500 vs 750 req/s)' });
    expect(t['GET p99 ≤ 1/3 of anchor (WORKERS=auto)']).toMatchObject({ met: false });
    expect(t['committed writes ≥ 5× anchor POST rate (WORKERS=auto)']).toMatchObject({ met: true });
    // the rendered configuration's RSS also counts its direct run; the WORKERS=auto run only its own
    expect(t['site RSS ≤ 200 MiB at peak']).toMatchObject({ met: false });
    expect(t['site RSS ≤ 200 MiB at peak (WORKERS=auto)']).toMatchObject({ met: true, measured: '198.0 MiB' });
    expect(evaluateTargets(columns).some((r) => r.target.endsWith('(WORKERS=auto)'))).toBe(false);
    const capped = evaluateTargets({ ...withWorkers, 'pg-httpd-default-heap': { getRps: 1200, appRssMiB: 280 } });
    expect(capped.find((r) => r.target === 'site RSS ≤ 200 MiB at peak (V8 default heap)')).toMatchObject({ met: false, measured: '280.0 MiB' });
    expect(figuresTable({ ...withWorkers, 'pg-httpd-default-heap': { getRps: 1200 } }).split('\n')[0]).toContain('| PostgreSQL, via httpd, V8 default heap |');
  });

  it('without the anchor, the relative targets are not judged', () => {
    const t = evaluateTargets({ 'pg-httpd': columns['pg-httpd']! });
    expect(t[0]).toMatchObject({ met: undefined, measured: 'needs --with-anchor' });
    expect(figuresTable({ 'pg-httpd': columns['pg-httpd']! })).not.toContain('ratio');
  });
});

describe('growth curve', () => {
  const point = (rows: number, getP50Ms: number): GrowthPoint => ({ rows, seedS: 1, getRps: 1000, getP50Ms, getP99Ms: 2 * getP50Ms, getErrors: 0, deepRps: 900, deepP50Ms: getP50Ms + 1, deepP99Ms: 40, deepErrors: 0 });

  it('prints one row per size and the ratio of the largest to the smallest', () => {
    const table = growthTable({ PostgreSQL: [point(1000, 10), point(10_000_000, 12)] }).split('\n');
    expect(table[0]).toBe('| driver | rows | GET / req/s | GET / p50 ms | GET / p99 ms | deep page req/s | deep page p50 ms | deep page p99 ms | errors | seeded in s |');
    expect(table).toContain('| PostgreSQL | 10 000 000 | 1 000 | 12.00 | 24.00 | 900 | 13.00 | 40.00 | 0 | 1.0 |');
    expect(table).toContain('| PostgreSQL: 10 000 000 / 1 000 |  | 1.00× | 1.20× | 1.20× | 1.00× | 1.18× | 1.00× |  |  |');
  });

  it('judges GET / p50 at the largest size against 1.5× the smallest, per driver', () => {
    const [pg, lite] = growthTargets({ PostgreSQL: [point(1000, 10), point(10_000_000, 15)], SQLite: [point(10_000_000, 16), point(1000, 10)] });
    expect(pg).toMatchObject({ met: true, measured: '1.50× (15.00 ms at 10 000 000 rows vs 10.00 ms at 1 000)' });
    expect(lite).toMatchObject({ met: false, gap: '1.60× vs at most 1.50×' });
    expect(growthTargets({ SQLite: [point(1000, 10)] })[0]).toMatchObject({ met: undefined, measured: 'not measured' });
  });
});

describe('CPU profile summary', () => {
  it('sums self time per function and per package', () => {
    const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });
    const summary = summarizeCpuProfile({
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('render', 'file:///w/node_modules/.pnpm/svelte@5.57.3/node_modules/svelte/src/internal/server/index.js', 9) },
        { id: 3, callFrame: frame('render', 'file:///w/node_modules/.pnpm/svelte@5.57.3/node_modules/svelte/src/internal/server/index.js', 9) },
        { id: 4, callFrame: frame('load', 'file:///w/apps/web/.test-build/base/server/chunks/page.js', 3) },
        { id: 5, callFrame: frame('(garbage collector)', '') },
      ],
      samples: [2, 3, 4, 5, 2],
      timeDeltas: [1000, 2000, 500, 1500, 1000],
      startTime: 0,
      endTime: 6000,
    });
    expect(summary.totalMs).toBe(6);
    expect(summary.functions[0]).toEqual({ name: 'render', where: 'svelte/src/internal/server/index.js:10', selfMs: 4, share: 4 / 6 });
    expect(summary.packages.map((p) => [p.name, p.selfMs])).toEqual([
      ['svelte', 4],
      ['(native / V8)', 1.5],
      ['apps/web', 0.5],
    ]);
  });

  it('names files by package or repository path', () => {
    expect(shortUrl('file:///r/node_modules/.pnpm/@mikro-orm+core@7.2.1/node_modules/@mikro-orm/core/x.js')).toBe('@mikro-orm/core/x.js');
    expect(packageOf('file:///r/node_modules/.pnpm/@mikro-orm+core@7.2.1/node_modules/@mikro-orm/core/x.js')).toBe('@mikro-orm/core');
    expect(packageOf('node:internal/http')).toBe('node: (core)');
    expect(packageOf('file:///r/packages/schema/dist/orm/create-orm.js')).toBe('packages/schema');
  });
});

describe('/proc parsing', () => {
  it('reads the parent PID after a command name with spaces and parentheses', () => {
    expect(parseStatPpid('4242 (wsgi:flask) (x)) S 17 4242 4242 0 -1')).toBe(17);
  });
});

describe('/proc/stat', () => {
  it('sums the jiffies and takes idle + iowait as idle', () => {
    expect(parseProcStat('cpu  100 5 50 800 20 1 2 3 7 0\ncpu0 1 2 3 4\n')).toEqual({ total: 981, idle: 820 });
  });
});

describe('/proc/PID/stat CPU time', () => {
  it('adds utime and stime (fields 14 and 15)', () => {
    expect(parseStatCpu('17 (node server.js) S 1 17 17 0 -1 4194560 100 0 0 0 250 40 0 0 20 0 11 0')).toBe(290);
  });
});
