import { connect } from 'node:net';
import { availableParallelism } from 'node:os';
import { tempProject } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteBackend, type Backend } from './support/backends.js';
import { childPids, getOnSeparateConnections, processExists, spawnServer, waitFor, type Answer, type ServerProcess } from './support/processes.js';
import { postForm } from './support/requests.js';

// WORKERS (server.js): the site as a node:cluster primary and N worker processes sharing one
// address, on the embedded SQLite default. Which worker answered is read from /proc (the process
// holding the server end of the connection), so "every worker" below means each one was seen.

const STARTUP_LINE = /^kit-db-test listening on .*$/gm;

function startupLines(server: ServerProcess): string[] {
  return server.stdout().match(STARTUP_LINE) ?? [];
}

function instancesOf(answers: Answer[]): Set<string> {
  return new Set(answers.map((a) => (JSON.parse(a.body) as { app: { instance: string } }).app.instance));
}

/** Resolves once every one of `pids` has answered a /health (on a round of concurrent connections). */
function everyWorkerAnswers(server: ServerProcess, pids: number[], ms = 10_000): Promise<Answer[]> {
  return waitFor(
    `workers ${pids.join(', ')} to answer`,
    async () => {
      const answers = await getOnSeparateConnections(server.url, 'health', 2 * pids.length, pids);
      const answered = new Set(answers.map((a) => a.pid));
      return pids.every((pid) => answered.has(pid)) ? answers : undefined;
    },
    ms,
  );
}

function refusesConnections(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
  });
}

function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Our own leftovers only: the workers a failed test may have left behind, by PID. */
function killLeftovers(pids: Iterable<number>): void {
  for (const pid of pids) {
    if (!processExists(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** The two workers of a WORKERS=2 site, once both exist and both answer, and the site's instance id. */
async function twoAnsweringWorkers(site: ServerProcess): Promise<{ workers: number[]; instance: string }> {
  const workers = await waitFor('2 worker processes', () => {
    const children = childPids(site.pid);
    return children.length === 2 ? children : undefined;
  });
  const instances = instancesOf(await everyWorkerAnswers(site, workers));
  if (instances.size !== 1) throw new Error(`the workers answered with ${instances.size} instance ids: ${[...instances].join(', ')}`);
  return { workers, instance: [...instances][0]! };
}

describe('WORKERS=2 on the embedded SQLite default', () => {
  let backend: Backend;
  /** every worker any test here saw, for the clean-up of a failed test */
  const everyWorker = new Set<number>();

  beforeAll(async () => {
    backend = await sqliteBackend();
  });
  afterAll(async () => {
    killLeftovers(everyWorker);
    await backend?.destroy();
  });

  describe('serving', () => {
    let site: ServerProcess;
    let workers: number[];
    let instance: string;

    beforeAll(async () => {
      site = await spawnServer({ ...backend.env, WORKERS: '2' });
      await site.listening();
      ({ workers, instance } = await twoAnsweringWorkers(site));
      for (const pid of workers) everyWorker.add(pid);
    });
    afterAll(async () => {
      await site?.stop();
    });

    it('the primary forks exactly 2 workers, both answer, and the start-up line says "2 processes"', () => {
      const [line] = startupLines(site);
      expect(line).toContain(`listening on ${site.url} (2 processes; base path (none);`);
      expect(line).toContain('profile default (sqlite:');
      expect(childPids(site.pid)).toEqual(workers);
      expect(instance).toMatch(/^[0-9a-f]{12}$/);
    });

    it('/health answers 200 from every worker, all with one instance id', async () => {
      const answers: Answer[] = [];
      for (let round = 0; round < 4; round++) answers.push(...(await getOnSeparateConnections(site.url, 'health', 10, workers)));
      expect(answers).toHaveLength(40);
      expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
      expect(new Set(answers.map((a) => a.pid))).toEqual(new Set(workers));
      expect(instancesOf(answers)).toEqual(new Set([instance]));
    });

    it('a form post stores exactly one row, and the page from every worker shows it', async () => {
      await backend.clear();
      const response = await postForm(site.url, { stuff: 'posted to a worker', things: 'WORKERS=2' });
      expect(response.status).toBe(303);
      const rows = await backend.rows();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ stuff: 'posted to a worker', things: 'WORKERS=2' });
      expect(new URL(response.headers.get('location')!, site.url).href).toBe(`${site.url}?saved=${rows[0]!.id}`);

      // This browser's mark of the save, sent with every view: any worker may answer the redirect.
      const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const pages = await getOnSeparateConnections(site.url, `?saved=${rows[0]!.id}`, 6, workers, { cookie });
      expect(new Set(pages.map((p) => p.pid))).toEqual(new Set(workers));
      for (const page of pages) {
        expect(page.status).toBe(200);
        expect(page.body).toContain(`Saved #${rows[0]!.id}`);
        expect(page.body).toContain('<td class="stuff">posted to a worker</td>');
        expect(page.body).toContain('(1 in all, newest first)');
      }
      expect(await backend.count()).toBe(1); // the page views' write probes were rolled back
    });
  });

  it('a worker killed with SIGKILL is replaced: 2 children again, the new one answers, the instance is unchanged, no second start-up line', async () => {
    await using site = await spawnServer({ ...backend.env, WORKERS: '2' });
    await site.listening();
    const { workers, instance } = await twoAnsweringWorkers(site);
    for (const pid of workers) everyWorker.add(pid);
    const [victim, survivor] = workers as [number, number];
    process.kill(victim, 'SIGKILL');
    // The primary prints this once it has reaped the victim, just before it forks the replacement.
    await site.waitForOutput('stderr', `kit-db-test: site process ${victim} exited with SIGKILL; starting another`, 10_000);
    expect(processExists(victim)).toBe(false);
    const after = await waitFor('a replacement worker', () => {
      const children = childPids(site.pid);
      return children.length === 2 && !children.includes(victim) ? children : undefined;
    });
    for (const pid of after) everyWorker.add(pid);
    expect(after).toContain(survivor);
    const replacement = after.find((pid) => pid !== survivor)!;

    const answers = await everyWorkerAnswers(site, [survivor, replacement]);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(instancesOf(answers)).toEqual(new Set([instance]));
    expect(processExists(site.pid)).toBe(true);
    // Its whole output, once it has closed: the replacement did not announce the site again.
    expect(await site.stop()).toEqual({ code: 0, signal: null });
    expect(startupLines(site)).toHaveLength(1);
  });

  it('SIGTERM to the primary stops every worker, and the primary exits 0, having printed one start-up line and nothing on stderr', async () => {
    await using site = await spawnServer({ ...backend.env, WORKERS: '2' });
    await site.listening();
    const { workers } = await twoAnsweringWorkers(site);
    for (const pid of workers) everyWorker.add(pid);
    process.kill(site.pid, 'SIGTERM');
    const exit = await withinMs(site.exited, 10_000, 'the primary exiting');
    expect(exit).toEqual({ code: 0, signal: null });
    // The workers share the primary's pipes: its output closed, so they are gone too.
    for (const pid of workers) expect(processExists(pid), `worker ${pid} still exists`).toBe(false);
    expect(await refusesConnections(site.port)).toBe('ECONNREFUSED');
    expect(startupLines(site)).toHaveLength(1);
    expect(site.stderr()).toBe('');
  });
});

describe('WORKERS=2 with workers that keep dying', () => {
  it('more than 3 × 2 deaths within 10 s make the primary give up with exit 1, leaving no worker behind', async () => {
    using project = tempProject();
    await using site = await spawnServer({ KDT_ROOT: project.root, WORKERS: '2' });
    await site.listening();
    const killed = new Set<number>();
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void site.exited.then((e) => (exit = e));
    const deadline = Date.now() + 30_000;
    try {
      // Kill every worker as soon as it appears, the replacements included, until the primary stops.
      while (exit === undefined && Date.now() < deadline) {
        for (const pid of childPids(site.pid)) {
          if (killed.has(pid)) continue;
          killed.add(pid);
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // exited meanwhile
          }
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await withinMs(site.exited, 5000, 'the primary giving up')).toEqual({ code: 1, signal: null });
      expect(site.stderr()).toMatch(/kit-db-test: site processes keep exiting \(7 in 10 s, the last with SIGKILL\); stopping/);
      expect(site.stderr().match(/starting another/g)).toHaveLength(6);
      expect(killed.size).toBeGreaterThanOrEqual(7);
      // A worker still starting when the primary exits loses its IPC channel and exits too.
      await waitFor('every worker to be gone', () => ([...killed].every((pid) => !processExists(pid)) ? true : undefined), 3000);
      expect(await refusesConnections(site.port)).toBe('ECONNREFUSED');
    } finally {
      killLeftovers(killed);
    }
  });
});

describe('WORKERS that mean one process', () => {
  it.each([
    ['unset', {}],
    ['1', { WORKERS: '1' }],
  ] as const)('%s: the site is a single process (no children), its start-up line names no process count', async (_what, extra) => {
    using project = tempProject();
    await using site = await spawnServer({ KDT_ROOT: project.root, ...extra });
    await site.listening();
    expect(childPids(site.pid)).toEqual([]);
    const [line] = startupLines(site);
    expect(line).toContain(`listening on ${site.url} (base path (none);`);
    expect(line).not.toContain('processes');
    const health = await fetch(`${site.url}health`);
    expect(health.status).toBe(200);
    await site.stop();
    expect(startupLines(site)).toHaveLength(1); // over its whole life, once its output has closed
  });

  it('auto: one process per CPU core', async () => {
    const cores = availableParallelism();
    using project = tempProject();
    await using site = await spawnServer({ KDT_ROOT: project.root, WORKERS: 'auto' });
    await site.listening();
    const [line] = startupLines(site);
    if (cores > 1) {
      const workers = await waitFor(`${cores} workers`, () => {
        const children = childPids(site.pid);
        return children.length === cores ? children : undefined;
      });
      await everyWorkerAnswers(site, workers);
      expect(line).toContain(`(${cores} processes; `);
    } else {
      expect(childPids(site.pid)).toEqual([]);
      expect(line).not.toContain('processes');
    }
    await site.stop();
    expect(startupLines(site)).toHaveLength(1); // one per site, not per process: every worker had listened
  });
});

describe('an invalid WORKERS', () => {
  it.each(['0', 'two', '-1', '2.5', '1000', ' 2'])('WORKERS=%j: exit 1 with one line saying what is expected, nothing listening', async (value) => {
    using project = tempProject();
    await using server = await spawnServer({ KDT_ROOT: project.root, WORKERS: value });
    expect(await withinMs(server.exited, 5000, 'the server exiting')).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toBe(`kit-db-test: WORKERS: expected a number of processes (1, 2, …) or auto, got "${value}"\n`);
    expect(server.stdout()).toBe('');
    expect(childPids(server.pid)).toEqual([]);
    expect(await refusesConnections(server.port)).toBe('ECONNREFUSED');
  });
});
