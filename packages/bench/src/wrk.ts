import { spawnProcess } from '@kit-db-test/testing';
import { fileURLToPath } from 'node:url';
import { track } from './processes.ts';

/** What one wrk run measured (times in milliseconds), from report.lua's WRKJSON line. */
export interface WrkResult {
  requests: number;
  durationS: number;
  bytes: number;
  rps: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  /** per class, when the script counted them (post.lua) */
  status?: { '2xx': number; '303': number; '3xx_other': number; '4xx': number; '5xx': number };
}

export const LOAD_DIR = fileURLToPath(new URL('../load/', import.meta.url));

/** Reads the `WRKJSON {...}` line report.lua prints; throws when there is none. */
export function parseWrkOutput(text: string): WrkResult {
  const line = text.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk printed no WRKJSON line:\n${text.trim().slice(-2000)}`);
  const j = JSON.parse(line.slice('WRKJSON '.length)) as Record<string, unknown> & { status?: WrkResult['status'] };
  const n = (k: string) => {
    const v = j[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`WRKJSON: ${k} is not a number in ${line}`);
    return v;
  };
  const ms = (k: string) => n(k) / 1000;
  return {
    requests: n('requests'),
    durationS: n('duration_s'),
    bytes: n('bytes'),
    rps: n('rps'),
    latencyMs: { mean: ms('lat_mean_us'), p50: ms('lat_p50_us'), p90: ms('lat_p90_us'), p99: ms('lat_p99_us'), max: ms('lat_max_us') },
    errors: { connect: n('err_connect'), read: n('err_read'), write: n('err_write'), status: n('err_status'), timeout: n('err_timeout') },
    ...(j.status ? { status: j.status } : {}),
  };
}

/** Socket errors and non-2xx/3xx answers together. */
export function errorCount(r: WrkResult): number {
  const e = r.errors;
  return e.connect + e.read + e.write + e.status + e.timeout;
}

export interface WrkOptions {
  url: string;
  threads: number;
  connections: number;
  seconds: number;
  script: 'get' | 'post';
  /** the Origin header post.lua sends */
  origin?: string;
  /** wrk --timeout: latencies up to this are recorded instead of dropped as timeouts (the anchor: 10 s) */
  timeoutS?: number;
}

/** The wrk command line for these options (as the anchor runs it: --latency, --timeout, -s script). */
export function wrkArgs(o: WrkOptions): string[] {
  return [`-t${o.threads}`, `-c${o.connections}`, `-d${o.seconds}s`, '--timeout', `${o.timeoutS ?? 10}s`, '--latency', '-s', `${LOAD_DIR}${o.script}.lua`, o.url];
}

/** Runs wrk bounded in time (its duration plus 30 s, then SIGKILL), on loopback URLs only. */
export async function runWrk(o: WrkOptions): Promise<WrkResult & { raw: string }> {
  const url = new URL(o.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to load a non-loopback URL: ${o.url}`);
  const args = wrkArgs(o);
  const child = spawnProcess('wrk', args, { name: 'wrk', env: { PATH: process.env.PATH, BENCH_LOAD_DIR: LOAD_DIR, BENCH_ORIGIN: o.origin ?? '' } });
  const untrack = track(`wrk ${args.join(' ')}`, child);
  const limitMs = (o.seconds + 30) * 1000;
  const killer = setTimeout(() => void child.stop(0), limitMs);
  const { code } = await child.closed.finally(() => {
    clearTimeout(killer);
    untrack();
  });
  const out = child.output();
  if (code !== 0) throw new Error(`wrk ${args.join(' ')} exited with ${code}:\n${out}`);
  return { ...parseWrkOutput(out), raw: out };
}
