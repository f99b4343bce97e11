import { describe, expect, it } from 'vitest';
import { runAdmin } from './test-support/run-admin.js';

describe('the command line', () => {
  it('lists its commands with --help and exits 0', async () => {
    const run = await runAdmin(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('init-database');
    expect(run.stdout).toContain('config');
  });

  it.each([['init-database'], ['config']])('%s --help describes its options', async (command) => {
    const run = await runAdmin([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--profile <name>');
  });

  it('rejects an unknown command with a clear error and exit 2', async () => {
    const run = await runAdmin(['init-db']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: unknown command 'init-db'");
  });

  it('rejects an unknown flag with a clear error and exit 2', async () => {
    const run = await runAdmin(['init-database', '--dryrun']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: unknown option '--dryrun'");
    expect(run.stderr).toContain('(Did you mean --dry-run?)');
  });
});
