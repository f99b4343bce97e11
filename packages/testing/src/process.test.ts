import { describe, expect, it } from 'vitest';
import { spawnProcess } from './process.js';

const node = (script: string) => spawnProcess(process.execPath, ['-e', script], { name: 'the script' });

describe('spawnProcess', () => {
  it('closed settles only once every byte the process printed has been read, however fast it exits', async () => {
    // 4 MiB on stdout, then a last line on stderr, and the end: the exit is known before the rest
    // of the pipes has been read, so output read on 'exit' comes up short.
    await using child = node(`process.stdout.write('x'.repeat(4 * 1024 * 1024)); process.stderr.write('last line\\n'); process.exitCode = 3`);
    expect(await child.closed).toEqual({ code: 3, signal: null });
    expect(child.stdout()).toHaveLength(4 * 1024 * 1024);
    expect(child.stderr()).toBe('last line\n');
    expect(child.output()).toHaveLength(4 * 1024 * 1024 + 'last line\n'.length);
    expect(child.exitStatus()).toEqual({ code: 3, signal: null });
  });

  it('waitForOutput resolves on text printed later, on the stream it names', async () => {
    await using child = node(`process.stderr.write('on stderr: ready\\n'); setTimeout(() => console.log('on stdout: ready 42'), 300); setTimeout(() => {}, 30_000)`);
    expect(await child.waitForOutput('stdout', /ready (\d+)/)).toBe('ready 42');
    expect(await child.waitForOutput('stderr', 'stderr: ready')).toBe('stderr: ready');
    expect(await child.waitForOutput('output', /on stdout/)).toBe('on stdout');
    expect(child.exitStatus()).toBeUndefined();
  });

  it('waitForOutput rejects when the process closes without printing it, with everything it printed', async () => {
    await using child = node(`console.error('kit-db-test: WORKERS: expected a number'); process.exit(1)`);
    await expect(child.waitForOutput('stdout', /listening on/)).rejects.toThrow(
      /^the script exited with code 1 before printing \/listening on\/ on stdout:\nkit-db-test: WORKERS: expected a number\n$/,
    );
    // and at once when it has already closed
    await child.closed;
    await expect(child.waitForOutput('stderr', 'never')).rejects.toThrow('the script exited with code 1 before printing');
  });

  it('waitForOutput rejects after its time limit, naming it', async () => {
    await using child = node(`console.log('started'); setTimeout(() => {}, 30_000)`);
    await child.waitForOutput('stdout', 'started');
    await expect(child.waitForOutput('stdout', /listening on/, 300)).rejects.toThrow('the script printed no /listening on/ on stdout within 300 ms:\nstarted\n');
  });

  it('stop() sends SIGTERM, and SIGKILL to a process that ignores it, then resolves once it has closed', async () => {
    const polite = node(`process.on('SIGTERM', () => { console.log('bye'); process.exit(0) }); console.log('up'); setTimeout(() => {}, 30_000)`);
    await polite.waitForOutput('stdout', 'up');
    expect(await polite.stop()).toEqual({ code: 0, signal: null });
    expect(polite.stdout()).toBe('up\nbye\n');

    const stubborn = node(`process.on('SIGTERM', () => {}); console.log('up'); setTimeout(() => {}, 30_000)`);
    await stubborn.waitForOutput('stdout', 'up');
    expect(await stubborn.stop(300)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await stubborn.stop()).toEqual({ code: null, signal: 'SIGKILL' }); // again: the same answer
  });

  it('stop() does not hang on a descendant that keeps the pipes open after the process exited', async () => {
    const shell = spawnProcess('/bin/sh', ['-c', 'sleep 60 & echo $!; exit 0'], { name: 'sh' });
    const orphan = Number(await shell.waitForOutput('stdout', /^\d+/m));
    try {
      expect(await shell.stop(200)).toEqual({ code: 0, signal: null });
    } finally {
      process.kill(orphan, 'SIGKILL');
    }
  });

  it('a command that cannot start rejects closed with the reason', async () => {
    const missing = spawnProcess('/nonexistent/program', [], { name: 'the program' });
    await expect(missing.closed).rejects.toThrow('the program did not start: spawn /nonexistent/program ENOENT');
  });

  it('stdin gets the input text, then its end', async () => {
    await using child = spawnProcess('/bin/cat', [], { input: 'typed\n' });
    expect(await child.closed).toEqual({ code: 0, signal: null });
    expect(child.stdout()).toBe('typed\n');
  });
});
