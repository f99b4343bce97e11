import { chmodSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempProject, type TempProject } from '@kit-db-test/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureContext } from '../test-support/fixture-context.js';
import { secretsCheck, unitCheck } from './checks.js';

// The unit as `pnpm admin ops render` writes it (systemd.unit(5), systemd.exec(5)), and the
// one-word answers of `systemctl is-enabled` / `is-active` (systemctl(1)).
const UNIT = `[Unit]
Description=kit-db-test site
After=network-online.target postgresql.service

[Service]
User=kdt
Group=kdt
EnvironmentFile=/etc/kit-db-test/kit-db-test.env
ExecStart=/usr/bin/node /srv/kit-db-test/apps/web/server.js
Restart=on-failure

[Install]
WantedBy=multi-user.target
`;

let project: TempProject;
const put = (path: string, text: string, mode = 0o644) => {
  const file = join(project.root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
};

beforeEach(() => {
  project = tempProject();
  mkdirSync(join(project.root, 'run/systemd/system'), { recursive: true });
  put('etc/systemd/system/kit-db-test.service', UNIT);
  put('etc/kit-db-test/kit-db-test.env', 'PORT=3000\nDATABASE_PASSWORD_FILE=/etc/kit-db-test/db-password\n', 0o640);
  put('etc/kit-db-test/db-password', 'secret\n', 0o600);
});
afterEach(() => project.remove());

describe('service.unit', () => {
  it('passes for an enabled, active unit with a service user', async () => {
    const context = fixtureContext({
      root: project.root,
      commands: { 'systemctl is-enabled kit-db-test.service': 'enabled\n', 'systemctl is-active kit-db-test.service': 'active\n' },
    });
    expect(await unitCheck.run(context)).toMatchObject({ status: 'pass', summary: 'kit-db-test.service is enabled and active, as kdt' });
  });

  it('fails for a stopped unit, with the commands that start it and say why it stopped', async () => {
    const context = fixtureContext({
      root: project.root,
      commands: {
        'systemctl is-enabled kit-db-test.service': 'enabled\n',
        'systemctl is-active kit-db-test.service': { code: 3, stdout: 'failed\n' },
      },
    });
    expect(await unitCheck.run(context)).toMatchObject({
      status: 'fail',
      summary: 'kit-db-test.service is not running (failed)',
      fix: ['systemctl start kit-db-test.service; journalctl -u kit-db-test.service -n 50 says why it stopped'],
    });
  });

  it('warns when it will not start at boot', async () => {
    const context = fixtureContext({
      root: project.root,
      commands: { 'systemctl is-enabled kit-db-test.service': { code: 1, stdout: 'disabled\n' }, 'systemctl is-active kit-db-test.service': 'active\n' },
    });
    expect(await unitCheck.run(context)).toMatchObject({ status: 'warn', fix: ['systemctl enable kit-db-test.service'] });
  });

  describe('after a re-render: a unit or environment file newer than the running service', () => {
    // systemctl show's answer for a service that last started on 24 November 2026 at 10:00 UTC.
    const started = (needsReload = 'no') => ({
      'systemctl is-enabled kit-db-test.service': 'enabled\n',
      'systemctl is-active kit-db-test.service': 'active\n',
      'systemctl show -p ActiveEnterTimestamp -p NeedDaemonReload kit-db-test.service': `ActiveEnterTimestamp=Tue 2026-11-24 10:00:00 UTC\nNeedDaemonReload=${needsReload}\n`,
    });
    const touch = (path: string, iso: string) => utimesSync(join(project.root, path), new Date(iso), new Date(iso));
    beforeEach(() => {
      touch('etc/systemd/system/kit-db-test.service', '2026-11-24T09:00:00Z');
      touch('etc/kit-db-test/kit-db-test.env', '2026-11-24T09:00:00Z');
    });

    it('files older than the start: passes', async () => {
      expect(await unitCheck.run(fixtureContext({ root: project.root, commands: started() }))).toMatchObject({ status: 'pass' });
    });

    it('the environment file changed since: the running site has old settings, restart it', async () => {
      touch('etc/kit-db-test/kit-db-test.env', '2026-11-24T10:05:00Z');
      const outcome = await unitCheck.run(fixtureContext({ root: project.root, commands: started() }));
      expect(outcome).toMatchObject({ status: 'warn', summary: 'the running site has old settings: systemctl restart kit-db-test', fix: ['systemctl restart kit-db-test'] });
      expect(outcome.evidence).toContain('/etc/kit-db-test/kit-db-test.env changed 2026-11-24T10:05:00.000Z, after the service started (2026-11-24T10:00:00.000Z)');
    });

    it('the unit changed since (NeedDaemonReload=yes): daemon-reload first', async () => {
      touch('etc/systemd/system/kit-db-test.service', '2026-11-24T10:05:00Z');
      expect(await unitCheck.run(fixtureContext({ root: project.root, commands: started('yes') }))).toMatchObject({
        status: 'warn',
        summary: 'the running site has old settings: systemctl restart kit-db-test',
        fix: ['systemctl daemon-reload && systemctl restart kit-db-test'],
      });
    });

    it('a file written in the second the service started is not newer (systemd prints whole seconds)', async () => {
      touch('etc/kit-db-test/kit-db-test.env', '2026-11-24T10:00:00.600Z');
      expect(await unitCheck.run(fixtureContext({ root: project.root, commands: started() }))).toMatchObject({ status: 'pass' });
    });
  });

  it('is skipped, not failed, where systemd is not the init system', async () => {
    using bare = tempProject();
    expect(await unitCheck.run(fixtureContext({ root: bare.root }))).toMatchObject({ status: 'skip' });
  });

  it('reads the site settings from the unit\'s EnvironmentFile', () => {
    const context = fixtureContext({ root: project.root });
    expect(context.site.unit?.user).toBe('kdt');
    expect(context.site.listen).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 3000 });
    expect(context.site.envSource).toBe('/etc/kit-db-test/kit-db-test.env, /etc/systemd/system/kit-db-test.service');
  });
});

describe('fs.secrets', () => {
  it('passes when the environment and password files are closed to other users', async () => {
    expect(await secretsCheck.run(fixtureContext({ root: project.root }))).toMatchObject({ status: 'pass', summary: '2 file(s), none readable by other users' });
  });

  it('fails for a world-readable environment file, with the chmod', async () => {
    chmodSync(join(project.root, 'etc/kit-db-test/kit-db-test.env'), 0o644);
    expect(await secretsCheck.run(fixtureContext({ root: project.root }))).toMatchObject({
      status: 'fail',
      summary: 'readable by every user: /etc/kit-db-test/kit-db-test.env',
      fix: ["chmod 640 /etc/kit-db-test/kit-db-test.env (owner root, group the service's)"],
    });
  });
});
