import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempProject, type TempProject } from '@kit-db-test/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { doctor } from '../test-support/doctor-report.js';
import { runAdmin } from '../test-support/run-admin.js';

let project: TempProject;
beforeEach(() => {
  project = tempProject();
  chmodSync(project.root, 0o755);
});
afterEach(() => project.remove());

const env = () => ({ KDT_ROOT: project.root });

describe('pnpm admin doctor on the embedded SQLite default', () => {
  it('passes once init-database has run: folder, file, schema, round trip', async () => {
    await runAdmin(['init-database'], { env: env() });
    const report = await doctor([], { env: env() });
    expect(report.checks.slice(0, 7).map((c) => [c.id, c.status])).toEqual([
      ['config.valid', 'pass'],
      ['sqlite.folder', 'pass'],
      ['sqlite.space', 'pass'],
      ['sqlite.file', 'pass'],
      ['sqlite.private', 'pass'],
      ['sqlite.schema', 'pass'],
      ['sqlite.roundtrip', 'pass'],
    ]);
    // The rest follow the path from the browser; on this machine (no systemd, no site running, no
    // SELinux, httpd proxying nothing) they do not apply, and none may fail.
    expect(report.checks.slice(7).map((c) => c.id.split('.')[0])).toEqual(['service', 'service', 'service', 'fs', 'https', 'https', 'httpd', 'httpd', 'httpd', 'httpd', 'httpd', 'httpd', 'selinux', 'selinux', 'selinux', 'selinux']);
    expect(report.with('fail')).toEqual([]);
    expect(report.check('selinux.status')).toMatchObject({ status: 'skip', summary: 'SELinux not present' });
    expect(report.check('sqlite.schema').summary).toBe('table stuff has every column of the entity (journal mode wal)');
    expect(report.run.code).toBe(0);
  });

  it('a folder that does not exist: fail, and init-database is the fix', async () => {
    const report = await doctor([], { env: env() });
    expect(report.check('sqlite.folder')).toMatchObject({ status: 'fail', summary: `${join(project.root, 'data')} does not exist` });
    expect(report.check('sqlite.file').status).toBe('skip');
    expect(report.run.code).toBe(1);
  });

  it('a folder the service user cannot write blocks the journal even when the file is writable; chown fixes it', async () => {
    await runAdmin(['init-database'], { env: env() });
    const data = join(project.root, 'data');
    chownSync(data, 0, 0);
    chmodSync(data, 0o755);
    chownSync(join(data, 'kit-db-test.sqlite'), 65534, 65534);
    const report = await doctor(['--service-user', 'nobody'], { env: env() });
    const folder = report.check('sqlite.folder');
    expect(folder).toMatchObject({ status: 'fail', summary: `nobody cannot write ${data}` });
    expect(folder.evidence[1]).toMatch(/^SQLite creates its journal and WAL files in this folder/);
    expect(folder.fix).toEqual([`chown nobody ${data} && chmod 750 ${data}`]);
    chownSync(data, 65534, 65534);
    chmodSync(data, 0o750);
    const fixed = await doctor(['--service-user', 'nobody'], { env: env() });
    expect(fixed.check('sqlite.folder').status).toBe('pass');
    expect(fixed.check('sqlite.file')).toMatchObject({ status: 'pass', summary: 'nobody may read and write it' });
  });

  it('a missing table: init-database', async () => {
    mkdirSync(join(project.root, 'data'));
    const Database = (await import('better-sqlite3')).default;
    new Database(join(project.root, 'data', 'kit-db-test.sqlite')).close();
    const report = await doctor([], { env: env() });
    expect(report.check('sqlite.schema')).toMatchObject({ status: 'fail', fix: ['pnpm admin init-database'] });
  });
});

describe('doctor output and usage', () => {
  it('prints one line per check and a closing count on a pipe, without colour codes', async () => {
    await runAdmin(['init-database'], { env: env() });
    const run = await runAdmin(['doctor'], { env: env() });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('\u001b[');
    const lines = run.stdout.trim().split('\n');
    expect(lines.slice(0, 12)).toEqual([
      'kit-db-test doctor: profile default, sqlite',
      expect.stringMatching(/^\[✓\] Configuration: profile default \(chosen by default\): sqlite:/),
      expect.stringMatching(/^\[✓\] SQLite folder: \S+ may write /),
      expect.stringMatching(/^\[✓\] Free space: \d+ MiB free where the database and its journal live$/),
      expect.stringMatching(/^\[✓\] SQLite file: \S+ may read and write it$/),
      '[✓] SQLite files private: no other user may read the folder, the file or its journal',
      expect.stringMatching(/^\[✓\] Schema matches the entity: /),
      expect.stringMatching(/^\[✓\] Write-read round trip: /),
      '[-] Site service: systemd not present (no /run/systemd/system): the site is not run as a service here',
      '[-] Site answers: the site is not running at http://127.0.0.1:3000',
      '[-] Through httpd: skipped: the site is not running at http://127.0.0.1:3000',
      '[-] Secret files: no environment or password file configured',
    ]);
    expect(lines).toContain('[-] SELinux: SELinux not present');
    expect(lines.at(-1)).toMatch(/^(No issues found|Doctor found warnings): \d+ passed, \d+ warnings?, 0 failed, \d+ skipped\.$/);
  });

  it('a bad profile is a failed configuration check, exit 1, in JSON too', async () => {
    project.writeProfile('bad', { url: 'mysql://x' });
    const report = await doctor(['--profile', 'bad'], { env: env() });
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual([
      {
        id: 'config.valid',
        title: 'Configuration',
        status: 'fail',
        summary: 'config/bad.json: url: expected postgresql:// or sqlite: URL, got "mysql://x"',
        evidence: [],
        fix: ['fix it, then check with pnpm admin config'],
      },
    ]);
    expect(report.run.code).toBe(1);
  });

  it('an unknown flag is a usage error, exit 2', async () => {
    const run = await runAdmin(['doctor', '--hba', 'x'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: unknown option '--hba'");
  });
});
