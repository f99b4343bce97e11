import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_VERSION, type RunRecord } from './run-record.js';

/** How many runs the folder keeps; older ones are removed when a run is saved. */
export const KEEP_RUNS = 50;

/** The state folder cannot be read or written: the message names it and what to do. */
export class HistoryError extends Error {
  override readonly name = 'HistoryError';
}

const RUN_FILE = /^run-[0-9TZ-]+-\d+\.json$/;

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/** The doctor's runs in a folder only its owner may read (0700, files 0600). */
export class RunStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Writes one run (whole or not at all) and prunes to KEEP_RUNS; returns its path. */
  save(record: RunRecord, serialized: string): string {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      chmodSync(this.dir, 0o700);
      const path = join(this.dir, `${record.id}.json`);
      const temporary = `${path}.tmp`;
      writeFileSync(temporary, serialized, { mode: 0o600, flag: 'wx' });
      chmodSync(temporary, 0o600);
      renameSync(temporary, path);
      for (const old of this.files().slice(0, -KEEP_RUNS)) rmSync(join(this.dir, old), { force: true });
      return path;
    } catch (error) {
      throw new HistoryError(`cannot write the doctor's history in ${this.dir} (${code(error)}): give --state-dir DIR, or --no-history`);
    }
  }

  private files(): string[] {
    try {
      return readdirSync(this.dir).filter((f) => RUN_FILE.test(f)).sort();
    } catch (error) {
      if (code(error) === 'ENOENT') return [];
      throw new HistoryError(`cannot read the doctor's history in ${this.dir} (${code(error)}): run as the user who ran the doctor, or give --state-dir DIR`);
    }
  }

  /** Every stored run, oldest first; a file that is not a run of this version is passed over. */
  list(): RunRecord[] {
    const runs: RunRecord[] = [];
    for (const file of this.files()) {
      try {
        const record = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as RunRecord;
        if (record.version === RECORD_VERSION && Array.isArray(record.checks)) runs.push(record);
      } catch {
        // a run cut short or edited by hand: the others still count
      }
    }
    return runs;
  }
}

/** A sortable, unique id for a run at this time. */
export function runId(at: Date, pid: number): string {
  return `run-${at.toISOString().replace(/[:.]/g, '-')}-${pid}`;
}
