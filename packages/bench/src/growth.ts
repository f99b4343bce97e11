// The growth curve of pnpm bench, its pure part: what one table size measured, the table, the
// ratio of the largest size to the smallest and its target. bench.ts seeds and loads.
import { formatNumber, formatRatio, ratio, type TargetResult } from './report.ts';

/** The table sizes of the curve; --quick measures the first two only. */
export const GROWTH_SIZES = [1_000, 100_000, 1_000_000, 10_000_000];
export const QUICK_GROWTH_SIZES = GROWTH_SIZES.slice(0, 2);

/** The target: GET / p50 at the largest size at most this times its value at the smallest. */
export const GROWTH_LIMIT = 1.5;

/** What one table size measured: GET / and a page in the middle of the table (`?before=` half the rows). */
export interface GrowthPoint {
  rows: number;
  /** how long seeding up to this size took (rows inserted since the previous size), s */
  seedS: number;
  getRps: number;
  getP50Ms: number;
  getP99Ms: number;
  getErrors: number;
  deepRps: number;
  deepP50Ms: number;
  deepP99Ms: number;
  deepErrors: number;
}

/** The curve of each driver, by label ("PostgreSQL", "SQLite"). */
export type GrowthCurves = Record<string, GrowthPoint[]>;

function ends(points: GrowthPoint[]): [GrowthPoint, GrowthPoint] | undefined {
  if (points.length < 2) return undefined;
  const sorted = [...points].sort((a, b) => a.rows - b.rows);
  return [sorted[0]!, sorted[sorted.length - 1]!];
}

/** One row per driver and size, then the ratio largest / smallest for each figure. */
export function growthTable(curves: GrowthCurves): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const out = [
    line(['driver', 'rows', 'GET / req/s', 'GET / p50 ms', 'GET / p99 ms', 'deep page req/s', 'deep page p50 ms', 'deep page p99 ms', 'errors', 'seeded in s']),
    line(['---', ...Array(9).fill('---:')]),
  ];
  for (const [driver, points] of Object.entries(curves)) {
    for (const p of points) {
      out.push(
        line([
          driver,
          formatNumber(p.rows, 0),
          formatNumber(p.getRps, 0),
          formatNumber(p.getP50Ms, 2),
          formatNumber(p.getP99Ms, 2),
          formatNumber(p.deepRps, 0),
          formatNumber(p.deepP50Ms, 2),
          formatNumber(p.deepP99Ms, 2),
          formatNumber(p.getErrors + p.deepErrors, 0),
          formatNumber(p.seedS, 1),
        ]),
      );
    }
    const e = ends(points);
    if (e) {
      const [small, large] = e;
      out.push(
        line([
          `${driver}: ${formatNumber(large.rows, 0)} / ${formatNumber(small.rows, 0)}`,
          '',
          formatRatio(ratio(large.getRps, small.getRps)),
          formatRatio(ratio(large.getP50Ms, small.getP50Ms)),
          formatRatio(ratio(large.getP99Ms, small.getP99Ms)),
          formatRatio(ratio(large.deepRps, small.deepRps)),
          formatRatio(ratio(large.deepP50Ms, small.deepP50Ms)),
          formatRatio(ratio(large.deepP99Ms, small.deepP99Ms)),
          '',
          '',
        ]),
      );
    }
  }
  return out.join('\n');
}

/** GET / p50 at the largest size within GROWTH_LIMIT times the smallest's, per driver. */
export function growthTargets(curves: GrowthCurves): TargetResult[] {
  return Object.entries(curves).map(([driver, points]) => {
    const e = ends(points);
    const target = `GET / p50 at the largest table ≤ ${GROWTH_LIMIT}× at the smallest (${driver})`;
    if (!e) return { target, measured: 'not measured', met: undefined };
    const [small, large] = e;
    const r = large.getP50Ms / small.getP50Ms;
    const measured = `${formatRatio(r)} (${formatNumber(large.getP50Ms, 2)} ms at ${formatNumber(large.rows, 0)} rows vs ${formatNumber(small.getP50Ms, 2)} ms at ${formatNumber(small.rows, 0)})`;
    const met = r <= GROWTH_LIMIT;
    return { target, measured, met, ...(met ? {} : { gap: `${formatRatio(r)} vs at most ${formatRatio(GROWTH_LIMIT)}` }) };
  });
}
