import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempProject, type TempProject } from '@kit-db-test/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAdmin } from '../test-support/run-admin.js';

describe('doctor history on the embedded SQLite default', () => {
  let project: TempProject;
  let state: string;
  beforeEach(() => {
    project = tempProject();
    state = mkdtempSync(join(tmpdir(), 'kdt-history-'));
  });
  afterEach(() => {
    project.remove();
    rmSync(state, { recursive: true, force: true });
  });
  const doctor = () => runAdmin(['doctor', '--state-dir', state], { env: { KDT_ROOT: project.root } });

  it('the folder and file init-database made are what fixed it, and the runbook says to run what the doctor said', async () => {
    const failing = await doctor();
    expect(failing.code).toBe(1);
    const fix = /fix: (.*)/.exec(failing.stdout.slice(failing.stdout.indexOf('[✗] SQLite folder')))![1]!;
    expect((await runAdmin(['init-database'], { env: { KDT_ROOT: project.root } })).code).toBe(0);
    const passing = await doctor();
    expect(passing.code).toBe(0);
    const tail = passing.stdout.slice(passing.stdout.indexOf('What changed since the last failing run'));
    expect(tail.split('\n').slice(1, 4)).toEqual([
      `  SQLite folder (sqlite.folder) passes now; it failed with: ${join(project.root, 'data')} does not exist`,
      expect.stringMatching(/^ {4}SQLite folder: absent → present, mode 0750, owner \d+:\d+$/),
      expect.stringMatching(/^ {4}SQLite file: absent → present, mode 0640, owner \d+:\d+$/),
    ]);
    const runbook = await runAdmin(['doctor', 'runbook', '--state-dir', state], { env: { KDT_ROOT: project.root } });
    expect(runbook.stdout).toContain(`## 1. SQLite folder: ${join(project.root, 'data')} does not exist\n\nDo:\n\n\`\`\`sh\n${fix}\n`);
  });
});
