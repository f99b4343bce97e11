import { describe, expect, it } from 'vitest';
import type { SiteListen } from '../site/site-settings.js';
import { explainProxyErrors, parseErrorLogLine, recentEntries, targetIsSite } from './error-log.js';

const SITE: SiteListen = { kind: 'tcp', host: '127.0.0.1', port: 3000 };
const restart = '[Wed Nov 25 10:20:02.019876 2026] [mpm_event:notice] [pid 801:tid 801] AH00489: Apache/2.4.71 (Debian) configured -- resuming normal operations';
const refused = (port: number) => `[Wed Nov 25 11:31:05.730121 2026] [proxy:error] [pid 1210:tid 1233] (111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:${port} (127.0.0.1:${port}) failed`;
const disabled = '[Wed Nov 25 11:31:05.730199 2026] [proxy:error] [pid 1210:tid 1233] AH00959: ap_proxy_connect_backend disabling worker for (127.0.0.1:3000) for 60s';
const backend = '[Wed Nov 25 11:31:05.730232 2026] [proxy_http:error] [pid 1210:tid 1233] [client 192.0.2.10:50502] AH01114: HTTP: failed to make connection to backend: 127.0.0.1';
// RHEL 7's httpd 2.4.6 names the worker by host only.
const selinuxOld = '[Tue Mar 05 10:11:12.123456 2019] [proxy:error] [pid 2345] (13)Permission denied: AH00957: HTTP: attempt to connect to 127.0.0.1:3000 (127.0.0.1) failed';

describe('parseErrorLogLine', () => {
  it('reads the default 2.4 format: time, module:level, errno, AH code, message', () => {
    expect(parseErrorLogLine(refused(3000), 7)).toEqual({
      raw: refused(3000),
      line: 7,
      timestamp: 'Wed Nov 25 11:31:05.730121 2026',
      module: 'proxy',
      level: 'error',
      errno: 111,
      errnoText: 'Connection refused',
      code: 'AH00957',
      message: 'HTTP: attempt to connect to 127.0.0.1:3000 (127.0.0.1:3000) failed',
    });
  });
});

describe('recentEntries', () => {
  it('keeps only the lines after the last (re)start notice', () => {
    const { entries, since } = recentEntries([refused(3000), restart, backend, ''].join('\n'));
    expect(entries.map((e) => e.code)).toEqual(['AH00489', 'AH01114']);
    expect(since).toBe(restart);
  });
  it('and at most the last N lines', () => {
    const text = Array.from({ length: 500 }, () => backend).join('\n');
    expect(recentEntries(text, 200).entries).toHaveLength(200);
  });
});

describe('targetIsSite', () => {
  it('compares host and port, treating loopback names alike and 0.0.0.0 as any', () => {
    expect(targetIsSite('127.0.0.1:3000', SITE)).toBe(true);
    expect(targetIsSite('127.0.0.1:3001', SITE)).toBe(false);
    expect(targetIsSite('[::1]:3000', { kind: 'tcp', host: '0.0.0.0', port: 3000 })).toBe(true);
    expect(targetIsSite('/run/kdt.sock', { kind: 'socket', path: '/run/kdt.sock' })).toBe(true);
  });
});

describe('explainProxyErrors', () => {
  it('a refused connection to another port than the site\'s: a configuration fault, and the 60 s retry', () => {
    const problems = explainProxyErrors(recentEntries([refused(3001), disabled, backend].join('\n')).entries, SITE);
    expect(problems.map((p) => [p.kind, p.configurationFault])).toEqual([
      ['refused', true],
      ['connect-failed', false],
      ['worker-disabled', false],
    ]);
    expect(problems[0]!.meaning).toContain('httpd connects to 127.0.0.1:3001, but the site listens on 127.0.0.1:3000');
    expect(problems[2]!.meaning).toContain('stops trying it for 60 seconds');
    expect(problems[2]!.fix.join()).toContain('retry=0');
  });

  it('a refused connection at the site\'s own address: the site was down (not a configuration fault)', () => {
    const [p] = explainProxyErrors(recentEntries(refused(3000)).entries, SITE);
    expect(p).toMatchObject({ kind: 'refused', configurationFault: false, target: '127.0.0.1:3000' });
  });

  it('(13)Permission denied on connect is SELinux, also in the 2.4.6 format', () => {
    const [p] = explainProxyErrors(recentEntries([selinuxOld, selinuxOld].join('\n')).entries, SITE);
    expect(p).toMatchObject({ kind: 'selinux', count: 2, configurationFault: true });
    expect(p!.fix).toContain('setsebool -P httpd_can_network_connect 1');
    expect(p!.meaning).toContain('name_connect');
  });

  it('unix sockets: a missing socket and a denied one', () => {
    const socket: SiteListen = { kind: 'socket', path: '/run/kit-db-test/site.sock' };
    const lines = [
      '[Wed Nov 25 12:00:00.000001 2026] [proxy:error] [pid 1:tid 2] (2)No such file or directory: AH02454: HTTP: attempt to connect to Unix domain socket /run/kit-db-test/site.sock (localhost:80) failed',
      '[Wed Nov 25 12:00:01.000001 2026] [proxy:error] [pid 1:tid 2] (13)Permission denied: AH02454: HTTP: attempt to connect to Unix domain socket /run/kit-db-test/site.sock (localhost:80) failed',
    ];
    expect(explainProxyErrors(recentEntries(lines.join('\n')).entries, socket).map((p) => [p.kind, p.target, p.configurationFault])).toEqual([
      ['socket-permission', '/run/kit-db-test/site.sock', true],
      ['socket-missing', '/run/kit-db-test/site.sock', false],
    ]);
  });

  it('AH01144 means mod_proxy_http is not loaded; "for 0s" (retry=0) is no waiting minute', () => {
    const lines = [
      "[Wed Nov 25 11:01:12.551870 2026] [proxy:warn] [pid 1107:tid 1130] [client 192.0.2.10:50340] AH01144: No protocol handler was valid for the URL /kit-db-test (scheme 'http'). If you are using a DSO version of mod_proxy, make sure the proxy submodules are included in the configuration using LoadModule.",
      disabled.replace('60s', '0s'),
    ];
    expect(explainProxyErrors(recentEntries(lines.join('\n')).entries, SITE).map((p) => p.kind)).toEqual(['no-handler']);
  });

  it('nothing to say about other lines', () => {
    expect(explainProxyErrors(recentEntries(`${restart}\n[Wed Nov 25 10:20:02.019901 2026] [core:notice] [pid 801:tid 801] AH00094: Command line: '/usr/sbin/apache2'`).entries, SITE)).toEqual([]);
  });
});
