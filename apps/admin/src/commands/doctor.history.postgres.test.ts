import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgServers, startPostgres, tempProject, type PgCluster, type TempProject } from '@kit-db-test/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RELOAD } from '../doctor/postgres/hba-verdict.js';
import { doctor, type DoctorReport } from '../test-support/doctor-report.js';
import { runAdmin } from '../test-support/run-admin.js';

const HEADER = '# TYPE  DATABASE  USER     ADDRESS        METHOD';
const HOST_LINE = 'host    all       all      127.0.0.1/32   scram-sha-256';
const GOOD_HBA = [HEADER, 'local   all       all                     scram-sha-256', HOST_LINE].join('\n');
const CLASSIC_HBA = [HEADER, 'local   all       all                     peer', 'local   kdt_app   kdt_app                 scram-sha-256', HOST_LINE].join('\n');
const MOVED = 'pg_hba.conf: the line `local kdt_app kdt_app scram-sha-256` moved from line 3 to line 2, above `local all all peer`';

interface Change {
  key: string;
  text: string;
}
interface WhatChanged {
  fixed: { id: string; changes: Change[]; observed: Change[] }[];
  other: Change[];
}
interface Runbook {
  steps: { checks: { id: string }[]; do: string[]; changes: string[]; shows: string[] }[];
  notNeeded: string[];
}

/** Applies "move line X (…) above line Y (…)" the way an operator edits the file. */
function moveLine(text: string, from: number, above: number): string {
  const lines = text.split('\n');
  const [moved] = lines.splice(from - 1, 1);
  lines.splice(above - 1, 0, moved!);
  return lines.join('\n');
}

describe.each(pgServers().map((s) => [`${s.kind} PostgreSQL ${s.version}`, s] as const))('doctor history on %s', (_name, server) => {
  let cluster: PgCluster;
  let project: TempProject;
  let passwordFile: string;
  let state: string;

  beforeAll(async () => {
    cluster = await startPostgres({ server, hba: GOOD_HBA });
    project = tempProject();
  });
  afterAll(async () => {
    await cluster?.destroy();
    project?.remove();
  });
  beforeEach(async () => {
    state = mkdtempSync(join(tmpdir(), 'kdt-history-'));
    await cluster.admin('ALTER SYSTEM RESET password_encryption');
    await cluster.setHba(GOOD_HBA);
    // The reset above reaches the server's sessions with the reload, asynchronously: this session
    // says how to store the password itself, or it may still be hashed as an earlier test left it.
    await cluster.admin(`SET password_encryption = 'scram-sha-256'; ALTER ROLE kdt_app LOGIN PASSWORD '${cluster.app.password}'`);
    passwordFile = project.writeFile('db-password', `${cluster.app.password}\n`);
    const init = await runAdmin(['init-database'], { env: env() });
    if (init.code !== 0) throw new Error(`init-database failed: ${init.all}`);
  });
  afterEach(() => rmSync(state, { recursive: true, force: true }));

  const env = (target = cluster) => ({ KDT_ROOT: project.root, DATABASE_URL: target.socketUrl({ password: undefined }), DATABASE_PASSWORD_FILE: passwordFile });
  const run = (target = cluster, extra: string[] = []): Promise<DoctorReport> =>
    doctor(['--hba-file', target.hbaFile, '--state-dir', state, ...extra], { env: env(target) });
  const admin = async (args: string[]) => {
    const result = await runAdmin([...args, '--state-dir', state], { env: env() });
    return { ...result, json: () => JSON.parse(result.stdout) };
  };
  const whatChanged = (report: DoctorReport) => (JSON.parse(report.run.stdout) as { history: { whatChanged: WhatChanged | null } }).history.whatChanged;
  const fixedBy = (changed: WhatChanged, id: string) => changed.fixed.find((f) => f.id === id)?.changes.map((c) => c.text);

  it('the line moved above `local all all peer` is what fixed the login; an added line and a setting changed at the same time did not matter', async () => {
    await cluster.setHba(CLASSIC_HBA);
    const failing = await run();
    expect(failing.check('pg.auth').status).toBe('fail');
    expect(whatChanged(failing)).toBeNull();

    // By hand, as an operator would: the move, plus two things that fix nothing.
    await cluster.admin("ALTER SYSTEM SET password_encryption = 'md5'");
    await cluster.setHba(`${moveLine(CLASSIC_HBA, 3, 2)}\nhost    all       all      10.9.0.0/16    reject`);
    const passing = await run();
    expect(passing.with('fail')).toEqual([]);
    const changed = whatChanged(passing)!;
    expect(changed.fixed.map((f) => f.id)).toEqual(['pg.auth', 'pg.hba']);
    expect(fixedBy(changed, 'pg.auth')).toEqual([MOVED]);
    expect(fixedBy(changed, 'pg.hba')).toEqual([MOVED]);
    expect(changed.fixed[0]!.observed.map((o) => o.text)).toContain('PostgreSQL login: refused (SQLSTATE 28000) → accepted');
    // password_encryption is not among them: unknown in the failing run (no session), and a
    // value the doctor could not see is no change anybody made.
    expect(changed.other.map((c) => c.text)).toEqual(['pg_hba.conf: the line `host all all 10.9.0.0/16 reject` added at line 5']);

    // The text report ends with it, in check order.
    const text = await runAdmin(['doctor', '--hba-file', cluster.hbaFile, '--state-dir', state], { env: env() });
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('What changed since');

    const diff = await admin(['doctor', 'diff']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/^From run 1 \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, 2 failed\) to run 3 /);
    expect(diff.stdout).toContain(`  Authentication (pg.auth) passes now; it failed with: peer authentication`);
    expect(diff.stdout).toContain(`    ${MOVED}\n`);
    expect(diff.stdout).toContain(`    ${MOVED} (as for pg.auth)`);
    expect(diff.stdout).toContain('Changed, and turned no check: pg_hba.conf: the line `host all all 10.9.0.0/16 reject` added at line 5');

    const history = await admin(['doctor', 'history', '--json']);
    expect(history.json().runs.map((r: { ok: boolean; counts: { fail: number } }) => [r.ok, r.counts.fail])).toEqual([[false, 2], [true, 0], [true, 0]]);
  });

  it('prints "What changed since the last failing run" after the first passing run, then not again', async () => {
    await cluster.setHba([HEADER, 'local   all   all   reject', HOST_LINE].join('\n'));
    const first = await runAdmin(['doctor', '--hba-file', cluster.hbaFile, '--state-dir', state], { env: env() });
    expect(first.code).toBe(1);
    await cluster.setHba([HEADER, 'local   kdt_app   kdt_app   scram-sha-256', 'local   all   all   reject', HOST_LINE].join('\n'));
    const second = await runAdmin(['doctor', '--hba-file', cluster.hbaFile, '--state-dir', state], { env: env() });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/\n\nWhat changed since the last failing run \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\):\n  Authentication \(pg\.auth\) passes now; it failed with: a reject line in pg_hba\.conf refuses this connection\n    pg_hba\.conf: the line `local kdt_app kdt_app scram-sha-256` added at line 2, above `local all all reject`\n/);
    const third = await runAdmin(['doctor', '--hba-file', cluster.hbaFile, '--state-dir', state], { env: env() });
    expect(third.stdout).not.toContain('What changed since');
  });

  it('a password put right in the password file: the file is the change that mattered; ALTER ROLE by hand is named as a change the doctor cannot see', async () => {
    project.writeFile('db-password', 'not-the-password\n');
    expect((await run()).check('pg.auth').status).toBe('fail');
    project.writeFile('db-password', `${cluster.app.password}\n`);
    const fixed = whatChanged(await run())!;
    expect(fixedBy(fixed, 'pg.auth')).toEqual([expect.stringMatching(new RegExp(`^password file: ${passwordFile}: present, mode 0600, owner \\d+:\\d+, changed at [^ ]+ → ${passwordFile}: present, mode 0600, owner \\d+:\\d+, changed at [^ ]+$`))]);

    await cluster.admin("ALTER ROLE kdt_app PASSWORD 'another-one'");
    expect((await run()).check('pg.auth').status).toBe('fail');
    await cluster.admin(`ALTER ROLE kdt_app PASSWORD '${cluster.app.password}'`);
    const report = await runAdmin(['doctor', '--hba-file', cluster.hbaFile, '--state-dir', state], { env: env() });
    expect(report.stdout).toContain('  Authentication (pg.auth) passes now; it failed with: the password was refused for');
    expect(report.stdout).toContain('    nothing the doctor reads changed; what the server answered did: PostgreSQL login: refused (SQLSTATE 28P01) → accepted (a change it cannot see, e.g. ALTER ROLE … PASSWORD, or a restart)');
  });

  it('the runbook written from the fix, applied to a fresh cluster, makes the doctor pass there', async () => {
    await cluster.setHba(CLASSIC_HBA);
    await run();
    await cluster.setHba(`${moveLine(CLASSIC_HBA, 3, 2)}\nhost    all       all      10.9.0.0/16    reject`);
    const passing = await run();
    expect(passing.with('fail'), passing.run.stdout).toEqual([]);

    const markdown = await admin(['doctor', 'runbook']);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('## 1. Authentication: peer authentication');
    expect(markdown.stdout).toContain('The same change fixes pg_hba.conf (`pg.hba`).');
    expect(markdown.stdout).toContain(`- ${MOVED}`);
    expect(markdown.stdout).toContain('## Not needed');
    const book = (await admin(['doctor', 'runbook', '--json'])).json() as Runbook;
    expect(book.steps).toHaveLength(1);
    expect(book.notNeeded).toEqual(['pg_hba.conf: the line `host all all 10.9.0.0/16 reject` added at line 5']);

    await using fresh = await startPostgres({ server, hba: CLASSIC_HBA });
    expect((await run(fresh, ['--no-history'])).ok).toBe(false);
    let hba = CLASSIC_HBA;
    for (const step of book.steps) {
      for (const action of step.do) {
        const move = /^in (\S+), move line (\d+) \(.*\) above line (\d+) /.exec(action);
        if (move) hba = moveLine(hba, Number(move[2]), Number(move[3]));
        // the other fixes the doctor offered are alternatives ("or …"), or the reload
        else if (!action.startsWith('or ')) expect(action).toBe(RELOAD);
      }
    }
    await fresh.setHba(hba); // writes the file and reloads, as RELOAD does
    const there = await runAdmin(['init-database'], { env: env(fresh) });
    expect(there.code).toBe(0);
    const report = await run(fresh, ['--no-history']);
    expect(report.with('fail')).toEqual([]);
  });

  it('--no-history writes nothing; the state folder is 0700 and each run 0600', async () => {
    await run(cluster, ['--no-history']);
    expect(readdirSync(state)).toEqual([]);
    const nested = join(state, 'a', 'b');
    await doctor(['--hba-file', cluster.hbaFile, '--state-dir', nested], { env: env(), umask: '000' });
    expect(statSync(nested).mode & 0o777).toBe(0o700);
    const files = readdirSync(nested);
    expect(files).toHaveLength(1);
    expect(statSync(join(nested, files[0]!)).mode & 0o777).toBe(0o600);
  });

  it('keeps no password, wherever it came from: the URL, its query, a profile, the password file, the environment file', async () => {
    const real = 'Real-Pw-3c7d-Quokka';
    const secrets = [real, 'Wrong-Url-9x2k-Quokka', 'Query-Pw-6h2n-Quokka', 'Profile-Pw-4k8m-Quokka', 'File-Pw-2j6v-Quokka', 'Env-Url-Pw-5r1t-Quokka', 'Env-Pw-8w3e-Quokka', 'Env-Token-1a9b-Quokka'];
    await cluster.admin(`ALTER ROLE kdt_app PASSWORD '${real}'`);
    const socket = (password?: string) => cluster.socketUrl({ password });
    const envFile = project.writeFile('site.env', [
      `DATABASE_URL=${socket(secrets[5])}`,
      `DATABASE_PASSWORD=${secrets[6]}`,
      `SECRET_TOKEN=${secrets[7]}`,
      'PORT=3999',
    ].join('\n'));
    const pwFile = project.writeFile('sweep-password', `${secrets[4]}\n`);
    project.writeProfile('sweep', { url: socket(secrets[3]) });
    const outputs: string[] = [];
    const sweep = async (env: Record<string, string>, siteFiles = ['--env-file', envFile]) => {
      const result = await runAdmin(['doctor', '--json', '--hba-file', cluster.hbaFile, ...siteFiles, '--state-dir', state], { env: { KDT_ROOT: project.root, ...env } });
      outputs.push(result.all);
      return result.code;
    };
    expect(await sweep({ DATABASE_URL: socket(secrets[1]) })).toBe(1);
    expect(await sweep({ DATABASE_URL: `${cluster.socketUrl({ password: undefined })}&password=${secrets[2]}` })).toBe(1);
    expect(await sweep({ KDT_PROFILE: 'sweep' })).toBe(1);
    expect(await sweep({ DATABASE_URL: socket(undefined), DATABASE_PASSWORD_FILE: pwFile })).toBe(1);
    // Without the environment file: its site is not running here, and a passing run compares with the failing ones.
    const code = await sweep({ DATABASE_URL: socket(real) }, []);
    expect(code, outputs.at(-1)).toBe(0);
    expect(outputs.at(-1)).toContain('"whatChanged": {');
    for (const name of ['history', 'diff', 'runbook']) {
      for (const json of [[], ['--json']]) outputs.push((await admin(['doctor', name, ...json])).all);
    }

    const stored = readdirSync(state).map((f) => readFileSync(join(state, f), 'utf8'));
    // The URL with ?password= is refused by the configuration: a run that never got past it keeps nothing.
    expect(stored).toHaveLength(4);
    expect(stored.join('')).toContain('"site.env.DATABASE_PASSWORD": "********"');
    expect(stored.join('')).toContain('"site.env.DATABASE_URL": "postgresql://kdt_app:********@');
    expect(stored.join('')).toContain(`"secret.password_file": "${pwFile}: present, mode 0600`);
    for (const secret of secrets) {
      for (const spelling of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) {
        expect(stored.filter((text) => text.includes(spelling)), spelling).toEqual([]);
        expect(outputs.filter((text) => text.includes(spelling)), spelling).toEqual([]);
      }
    }
  });
});
