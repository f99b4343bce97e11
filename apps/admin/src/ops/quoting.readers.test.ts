// A SQLite folder with a blank, quotes, a "$(…)" and a "%" goes through `ops render` and is read
// back by the programs that read each output: systemd's own unit parser (systemd-analyze verify),
// POSIX sh for the environment file (as the init-database step sources it) and for the printed
// commands, and the doctor's parsers. Each must get the folder back as one value, and nothing runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempProject, type TempProject } from '@kit-db-test/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEnvironmentFile } from '../doctor/site/environment-file.js';
import { parseUnitFile } from '../doctor/site/unit-file.js';
import { runAdmin } from '../test-support/run-admin.js';

let project: TempProject;
let scratch: string;
let marker: string;
let folder: string;
beforeEach(() => {
  project = tempProject();
  scratch = mkdtempSync(join(tmpdir(), 'kdt-quoting-'));
  marker = join(scratch, 'ran');
  folder = `/srv/my data/it's "a" $(touch ${marker}) \`touch ${marker}\` 100%`;
});
afterEach(() => {
  project.remove();
  rmSync(scratch, { recursive: true, force: true });
});

const ENV_FILE = 'etc/kit-db-test/kit-db-test.env';
const UNIT_FILE = 'etc/systemd/system/kit-db-test.service';

async function renderOdd(out: string) {
  const url = `sqlite:${folder}/kdt.sqlite`;
  const run = await runAdmin(['ops', 'render', '--layout', 'debian', '--install-dir', '/srv/kit-db-test', '--node', '/usr/bin/node', '--base-path', '', '--out', out], {
    env: { KDT_ROOT: project.root, DATABASE_URL: url },
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return { run, url };
}

function sh(script: string, ...args: string[]) {
  const run = spawnSync('sh', ['-c', script, 'sh', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect(run.stderr).toBe('');
  return run.stdout;
}

describe('a SQLite folder with blanks, quotes, $(…) and % in every output', () => {
  it("systemd reads the unit's ReadWritePaths= as that one folder, and no other setting", async () => {
    const out = join(scratch, 'out');
    await renderOdd(out);
    // At debug level, verify dumps the unit as systemd loaded it.
    const verify = spawnSync('systemd-analyze', ['verify', '--man=no', join(out, UNIT_FILE)], { encoding: 'utf8', env: { PATH: process.env.PATH, SYSTEMD_LOG_LEVEL: 'debug' } });
    expect(verify.error, 'systemd-analyze (Debian package systemd) is needed').toBeUndefined();
    const dump = verify.stdout + verify.stderr;
    expect(dump).not.toContain('path is not absolute');
    expect(dump.match(/^\t+ReadWritePaths: (.*)$/m)?.[1]).toBe(folder);
    expect(dump).not.toMatch(/-> ExecStartPre:/);
    expect(parseUnitFile(readFileSync(join(out, UNIT_FILE), 'utf8')).readWritePaths).toEqual([folder]);
  });

  it('sh and the doctor read DATABASE_URL from the environment file as it was given; nothing runs', async () => {
    const out = join(scratch, 'out');
    const { url } = await renderOdd(out);
    const file = join(out, ENV_FILE);
    expect(sh('set -a && . "$1" && printf %s "$DATABASE_URL"', file)).toBe(url);
    expect(parseEnvironmentFile(readFileSync(file, 'utf8')).DATABASE_URL).toBe(url);
    expect(existsSync(marker)).toBe(false);
  });

  it('the printed install -d command names the folder as one shell word; nothing runs', async () => {
    const { run } = await renderOdd(join(scratch, 'out'));
    const command = run.stdout.split('\n').find((line) => line.startsWith('install -d -m 0750 -o kdt'));
    expect(command).toBeDefined();
    // install replaced by a function that prints its arguments, one per line.
    expect(sh(`install() { printf '%s\\n' "$@"; }; ${command}`)).toBe(`-d\n-m\n0750\n-o\nkdt\n-g\nkdt\n${folder}\n`);
    expect(existsSync(marker)).toBe(false);
  });

});

describe('an --out folder with a quote, blanks and $(…)', () => {
  it('the printed commands name its files as one word each; nothing runs', async () => {
    project.writeProfile('postgres', { url: 'postgresql://kdt@/kdt' });
    const out = join(scratch, `o'ut $(touch ${marker})`);
    const run = await runAdmin(['ops', 'render', '--profile', 'postgres', '--install-dir', '/srv/kit-db-test', '--base-path', '', '--out', out], { env: { KDT_ROOT: project.root } });
    expect(run.code).toBe(0);
    const commands = run.stdout.split('\n').filter((line) => /^(install -m|sudo -u postgres psql -f) /.test(line));
    expect(commands).toHaveLength(4);
    // install and sudo replaced by a function that prints its arguments, one per line.
    const script = `install() { printf '%s\\n' "$@"; }; sudo() { printf '%s\\n' "$@"; }; ${commands.join('; ').replaceAll('< /etc/kit-db-test/db-password', '< /dev/null')}`;
    const named = sh(script).split('\n').filter((word) => word.includes('ut $('));
    expect(named).toEqual([
      join(out, ENV_FILE),
      join(out, 'postgres/create-role-and-database.sql'),
      join(out, UNIT_FILE),
      join(out, 'etc/httpd/conf.d/kit-db-test.conf'),
    ]);
    expect(existsSync(marker)).toBe(false);
  });
});
