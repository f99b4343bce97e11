import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempProject } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, waitFor, type ServerProcess } from './support/processes.js';

// What systemd sees of server.js: the process's name, and the readiness message of Type=notify.
// A unix datagram socket stands in for systemd's notify socket (Python's socket module: Node has
// no unix datagram sockets); systemd-notify(1), which the site runs, is Debian's own.

/** A receiver on NOTIFY_SOCKET that prints each datagram on one line. */
function notifySocket(path: string): Promise<{ child: ChildProcess; messages: () => string }> {
  const script = [
    'import socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    `s.bind(${JSON.stringify(path)})`,
    'print("bound", flush=True)',
    'while True:',
    '    data = s.recv(65536)',
    '    print(data.decode().replace("\\n", " | "), flush=True)',
  ].join('\n');
  const child = spawn('/usr/bin/python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return waitFor('the notify socket to be bound', () => (out.includes('bound\n') ? { child, messages: () => out } : undefined));
}

describe('server.js under systemd', () => {
  let dir: string;
  let receiver: Awaited<ReturnType<typeof notifySocket>>;
  const project = tempProject();
  let server: ServerProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kdt-notify-'));
    receiver = await notifySocket(join(dir, 'notify'));
    server = await spawnServer({ KDT_ROOT: project.root, NOTIFY_SOCKET: join(dir, 'notify') });
  });
  afterAll(async () => {
    await server?.stop();
    receiver?.child.kill('SIGTERM');
    project.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells systemd READY=1 once it listens, with its start-up line as the status', async () => {
    const ready = await waitFor('READY=1 on the notify socket', () => receiver.messages().split('\n').find((l) => l.includes('READY=1')), 15_000);
    expect(ready).toMatch(/STATUS=kit-db-test listening on http:\/\/127\.0\.0\.1:\d+\//);
    // Ready means serving: the page answers as soon as the message is there.
    const health = await fetch(new URL('health', server.url));
    expect(health.status).toBe(200);
  });

  it('is named kit-db-test in ps, top and ss (not Node\'s MainThread)', async () => {
    await server.listening();
    expect(readFileSync(`/proc/${server.pid}/comm`, 'utf8').trim()).toBe('kit-db-test');
    expect(readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0')[0]).toBe('kit-db-test');
  });
});
