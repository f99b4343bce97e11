import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, tempProject, type TempProject } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor } from '../test-support/doctor-report.js';

/**
 * The doctor reads the database settings from the site's environment file (the unit's
 * EnvironmentFile=) when its own environment has none: no `set -a && . FILE` first.
 */
describe("the doctor and the site's environment file", () => {
  let project: TempProject;
  let root: string;
  const envFile = '/etc/kit-db-test/kit-db-test.env';

  beforeAll(async () => {
    project = tempProject();
    project.writeProfile('site', { url: 'sqlite:data/site.sqlite' });
    project.writeProfile('other', { url: 'sqlite:data/other.sqlite' });
    root = mkdtempSync(join(tmpdir(), 'kdt-root-'));
    const put = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text, { mode: 0o640 });
    };
    put('etc/systemd/system/kit-db-test.service', `[Service]\nUser=kdt\nEnvironmentFile=${envFile}\nExecStart=/usr/bin/node server.js\n`);
    // A port nothing listens on: the service checks fail the same way on every machine.
    put(envFile, `KDT_PROFILE=site\nKDT_ROOT=${project.root}\nHOST=127.0.0.1\nPORT=${await freePort()}\nORIGIN=https://example.org\n`);
  });
  afterAll(() => {
    project?.remove();
    rmSync(root, { recursive: true, force: true });
  });

  it("with none of the database variables set, they come from the unit's environment file", async () => {
    const report = await doctor(['--root', root], { env: {} });
    const config = report.check('config.valid');
    expect(config.summary).toMatch(/^profile site \(config\/site\.json, chosen by environment KDT_PROFILE\): sqlite:.*\/data\/site\.sqlite$/);
    expect(config.evidence[0]).toBe(`database settings from the site's environment file ${envFile}: KDT_PROFILE, KDT_ROOT`);
    expect(report.run.stdout).toContain('"profile": "site"');
  });

  it("the doctor's own environment, when it sets one, wins, and says so", async () => {
    const report = await doctor(['--root', root], { env: { KDT_ROOT: project.root, KDT_PROFILE: 'other' } });
    expect(report.check('config.valid').summary).toMatch(/^profile other \(config\/other\.json, chosen by environment KDT_PROFILE\)/);
    expect(report.check('config.valid').evidence[0]).toBe(`database settings from the doctor's own environment (KDT_PROFILE, KDT_ROOT), not from ${envFile}`);
  });
});
