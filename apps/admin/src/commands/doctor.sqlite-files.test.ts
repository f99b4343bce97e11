import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempProject, type TempProject } from '@kit-db-test/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { doctor } from '../test-support/doctor-report.js';
import { runAdmin } from '../test-support/run-admin.js';

let project: TempProject;
let data: string;
let file: string;
beforeEach(() => {
  project = tempProject();
  chmodSync(project.root, 0o755);
  data = join(project.root, 'data');
  file = join(data, 'kit-db-test.sqlite');
});
afterEach(() => project.remove());

const env = () => ({ KDT_ROOT: project.root });

/** Runs a fix as an operator pastes it into a shell. */
const paste = (command: string) => execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8' });

describe('doctor: free space where the SQLite database and its journal live', () => {
  let mounted = false;
  beforeEach(() => {
    mkdirSync(data);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=80m,mode=0750', 'tmpfs', data]);
    mounted = true;
  });
  afterEach(() => {
    if (mounted) execFileSync('umount', [data]);
    mounted = false;
  });

  it('fails on a full disk with what fills it, and passes once there is room again', async () => {
    expect((await runAdmin(['init-database'], { env: env() })).code).toBe(0);
    expect((await doctor([], { env: env() })).check('sqlite.space')).toMatchObject({
      status: 'pass',
      summary: expect.stringMatching(/^(7\d|80) MiB free where the database and its journal live$/),
    });

    const filler = join(data, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (const chunk = Buffer.alloc(1024 * 1024, 1); ; ) writeSync(fd, chunk);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    const full = await doctor([], { env: env() });
    const space = full.check('sqlite.space');
    expect(space).toMatchObject({ status: 'fail', summary: `the disk is full: 0.0 MiB free on ${data}, every write fails` });
    expect(space.evidence[0]).toMatch(new RegExp(`^${data}: 0\\.0 MiB free of 80 MiB, \\d+ inodes free \\(df -h ${data}\\)$`));
    expect(space.fix).toEqual([`du -xah -d 1 ${data} | sort -h | tail -n 5   # what fills it: remove or move that, or grow the filesystem`]);
    expect(paste(space.fix[0]!)).toContain(filler);
    expect(full.run.code).toBe(1);

    rmSync(filler);
    expect((await doctor([], { env: env() })).check('sqlite.space').status).toBe('pass');
  });
});

describe('doctor: no other user may read the SQLite folder, file, -wal and -shm', () => {
  it('names each path open to other users, and its fix, pasted, closes them while the site keeps its access', async () => {
    expect((await runAdmin(['init-database'], { env: env() })).code).toBe(0);
    chmodSync(data, 0o755);
    chmodSync(file, 0o644);
    // An open connection in WAL mode, as a running site holds it: SQLite creates the -wal and
    // -shm files with the database file's mode.
    const open = new Database(file);
    try {
      open.pragma('journal_mode = wal');
      open.prepare("insert into stuff (stuff, things) values ('held', 'open')").run();
      const exposed = [data, file, `${file}-wal`, `${file}-shm`];
      const report = await doctor([], { env: env() });
      const check = report.check('sqlite.private');
      expect(check).toMatchObject({ status: 'warn', summary: `other users may read ${exposed.join(', ')}` });
      expect(check.evidence.slice(0, 4)).toEqual([`${data} is root:root 0755`, `${file} is root:root 0644`, `${file}-wal is root:root 0644`, `${file}-shm is root:root 0644`]);
      expect(check.fix).toEqual([`chmod o-rwx ${exposed.join(' ')}`]);

      paste(check.fix[0]!);
      const fixed = await doctor([], { env: env() });
      expect(fixed.check('sqlite.private')).toMatchObject({ status: 'pass', summary: 'no other user may read the folder, the file or its journal' });
      expect(fixed.check('sqlite.roundtrip').status).toBe('pass');
    } finally {
      open.close();
    }
  });
});
