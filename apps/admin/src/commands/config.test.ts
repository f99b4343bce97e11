import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { hostilePasswords, tempProject, type TempProject } from '@kit-db-test/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAdmin } from '../test-support/run-admin.js';

const PASSWORD = 'Pw-in-url-7f3a';
let project: TempProject;
beforeEach(() => {
  project = tempProject();
  project.writeProfile('postgres', { url: 'postgresql://kdt@/kdt?host=/var/run/postgresql' });
});
afterEach(() => project.remove());

describe('pnpm admin config', () => {
  it('shows the profile, the target and each setting with its source', async () => {
    symlinkSync('postgres.json', join(project.root, 'config/live'));
    const run = await runAdmin(['config'], { env: { KDT_ROOT: project.root } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('profile  postgres (config/postgres.json, chosen by file config/live)');
    expect(run.stdout).toContain('target   postgresql://kdt@/kdt?host=/var/run/postgresql');
    expect(run.stdout).toMatch(/socket directory +\/var\/run\/postgresql +← file config\/postgres\.json/);
    expect(run.stdout).toMatch(/KDT_ROOT +=/);
    expect(run.stdout).toMatch(/DATABASE_PASSWORD_FILE +\(unset\)/);
  });

  it('--json gives one object with sources, and masks a password from DATABASE_URL everywhere', async () => {
    const run = await runAdmin(['config', '--json'], {
      env: { KDT_ROOT: project.root, DATABASE_URL: `postgresql://app:${PASSWORD}@127.0.0.1:5433/appdb` },
    });
    expect(run.code).toBe(0);
    expect(run.all).not.toContain(PASSWORD);
    const json = JSON.parse(run.stdout);
    expect(json.profile).toEqual({ name: 'default', file: null, selectedBy: 'default' });
    expect(json.target).toBe('postgresql://app:********@127.0.0.1:5433/appdb');
    expect(json.settings).toContainEqual({ key: 'password', value: '********', source: 'environment DATABASE_URL' });
    expect(json.environment).toContainEqual(expect.objectContaining({ name: 'DATABASE_URL', set: true, value: 'postgresql://app:********@127.0.0.1:5433/appdb' }));
  });

  it('--profile names a profile that does not exist: one line listing those that do, exit 1', async () => {
    const run = await runAdmin(['config', '--profile', 'prod'], { env: { KDT_ROOT: project.root } });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('✗ configuration: --profile: profile "prod" not found: no config/prod.json (available: postgres)');
  });

  it.each(hostilePasswords())('lists DATABASE_URL with a password with $label masked whole, encoded or not', async ({ password, fragments }) => {
    const runs = await Promise.all(
      [password, encodeURIComponent(password)].map((written) =>
        runAdmin(['config', '--json'], { env: { KDT_ROOT: project.root, DATABASE_URL: `postgresql://kdt:${written}@/kdt` } }),
      ),
    );
    for (const run of runs) {
      expect([0, 1]).toContain(run.code);
      for (const f of fragments) expect(run.all).not.toContain(f);
      if (run.code === 0) {
        expect(JSON.parse(run.stdout).environment).toContainEqual(expect.objectContaining({ name: 'DATABASE_URL', value: 'postgresql://kdt:********@/kdt' }));
      } else {
        expect(run.stderr).toMatch(/^✗ configuration: DATABASE_URL: the user name or password holds characters a URL cannot carry as they are; percent-encode them/);
      }
    }
    expect(runs[1]!.code).toBe(0); // percent-encoded, every one is a valid URL
  });

  it('does not list a DATABASE_PASSWORD_FILE that names no file: it may be the password itself', async () => {
    // On SQLite the variable is ignored (a warning), so nothing else stops the listing.
    const run = await runAdmin(['config', '--json'], { env: { KDT_ROOT: project.root, DATABASE_PASSWORD_FILE: PASSWORD } });
    expect(run.code).toBe(0);
    expect(run.all).not.toContain(PASSWORD);
    expect(JSON.parse(run.stdout).environment).toContainEqual(expect.objectContaining({ name: 'DATABASE_PASSWORD_FILE', set: true, value: '(names no file; not shown)' }));
  });

  it.each([
    ['a named pipe (FIFO)', (): string => {
      const fifo = `${project.root}/db-password.fifo`;
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      return fifo;
    }],
    ['a character device', () => '/dev/zero'],
  ])('refuses a DATABASE_PASSWORD_FILE that is %s at once, with one line, instead of blocking or filling memory', async (what, path) => {
    const file = path();
    const run = await runAdmin(['config'], { env: { KDT_ROOT: project.root, DATABASE_URL: 'postgresql://kdt@/kdt', DATABASE_PASSWORD_FILE: file }, timeoutMs: 15_000 });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`✗ configuration: DATABASE_PASSWORD_FILE: ${file}: it is ${what}, not a regular file; point it at a regular file holding only the password`);
  });
});
