import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';

export type ProbeResult = { ok: true; localAddress: string | undefined } | { ok: false; code: string; ms: number };

/** Opens (and closes) a TCP or unix-socket connection, giving up after `timeoutMs`. */
export function probe(target: { path: string } | { host: string; port: number }, timeoutMs: number): Promise<ProbeResult> {
  const start = performance.now();
  const ms = () => Math.round(performance.now() - start);
  return new Promise((resolve) => {
    const socket = 'path' in target ? connect({ path: target.path }) : connect({ host: target.host, port: target.port, autoSelectFamily: false });
    const done = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, code: 'ETIMEDOUT', ms: ms() }), timeoutMs);
    socket.once('connect', () => done({ ok: true, localAddress: socket.localAddress }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, code: error.code ?? 'ERROR', ms: ms() }));
  });
}

/** Every address a host name resolves to, in the order the resolver gives them (as clients try them). */
export async function resolveAll(host: string, timeoutMs: number): Promise<string[] | { code: string }> {
  try {
    const answer = lookup(host, { all: true, order: 'verbatim' });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), timeoutMs).unref());
    return (await Promise.race([answer, timeout])).map((a) => a.address);
  } catch (error) {
    return { code: (error as NodeJS.ErrnoException).code ?? 'ERROR' };
  }
}
