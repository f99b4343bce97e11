import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryError, KEEP_RUNS, RunStore, runId } from './run-store.js';
import type { RunRecord } from './run-record.js';
import { stateDir } from './state-dir.js';

const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdt-store-'));
  folders.push(dir);
  return dir;
};
const record = (n: number): RunRecord => {
  const at = new Date(Date.UTC(2026, 11, 1, 10, 0, n));
  return { version: 1, id: runId(at, 100), at: at.toISOString(), host: 'h', profile: 'live', ok: n % 2 === 0, checks: [], facts: {} };
};

describe('the state folder', () => {
  it('root keeps runs under /var/lib, a user under XDG_STATE_HOME or ~/.local/state; --state-dir and KDT_STATE_DIR win', () => {
    expect(stateDir({ env: {}, uid: 0 })).toBe('/var/lib/kit-db-test/doctor');
    expect(stateDir({ env: { HOME: '/home/ann' }, uid: 1000 })).toBe('/home/ann/.local/state/kit-db-test/doctor');
    expect(stateDir({ env: { HOME: '/home/ann', XDG_STATE_HOME: '/srv/state' }, uid: 1000 })).toBe('/srv/state/kit-db-test/doctor');
    expect(stateDir({ env: { KDT_STATE_DIR: '/x' }, uid: 0 })).toBe('/x');
    expect(stateDir({ stateDir: '/y', env: { KDT_STATE_DIR: '/x' }, uid: 0 })).toBe('/y');
  });

  it(`keeps the newest ${KEEP_RUNS} runs, oldest first, the folder 0700 and each file 0600 whatever the umask`, () => {
    const dir = join(temp(), 'doctor');
    const store = new RunStore(dir);
    const old = process.umask(0);
    try {
      for (let n = 0; n < KEEP_RUNS + 3; n++) store.save(record(n), JSON.stringify(record(n)));
    } finally {
      process.umask(old);
    }
    const runs = store.list();
    expect(runs).toHaveLength(KEEP_RUNS);
    expect(runs[0]!.id).toBe(record(3).id);
    expect(runs.at(-1)!.id).toBe(record(KEEP_RUNS + 2).id);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
  });

  it('a file cut short is passed over; a folder it may not write is one error naming it and the way out', () => {
    const dir = temp();
    const store = new RunStore(dir);
    store.save(record(1), JSON.stringify(record(1)));
    writeFileSync(join(dir, `${runId(new Date(Date.UTC(2026, 11, 2)), 7)}.json`), '{"version": 1, "id"');
    expect(store.list().map((r) => r.id)).toEqual([record(1).id]);
    const blocked = join(temp(), 'file');
    writeFileSync(blocked, '');
    chmodSync(blocked, 0o600);
    const error = (() => {
      try {
        new RunStore(join(blocked, 'doctor')).save(record(2), '{}');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(HistoryError);
    expect((error as Error).message).toBe(`cannot write the doctor's history in ${join(blocked, 'doctor')} (ENOTDIR): give --state-dir DIR, or --no-history`);
  });
});
