import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** What a request from inside the namespace got back. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A private host: a network namespace joined to this machine by a veth pair on a /30 of its own
 * (in 198.18.0.0/15, the range set aside for tests). A process in it reaches this machine at
 * `hostAddress` and is seen coming from `address`: a visitor that is not on this machine.
 */
export interface NetworkNamespace {
  name: string;
  /** this machine's end of the link: listen here to be reachable from the namespace */
  hostAddress: string;
  /** the namespace's end: where its requests come from */
  address: string;
  /** the /30 both ends are on, e.g. 198.18.7.4/30 */
  network: string;
  /** an HTTP request from inside the namespace (node:http, so any header may be sent, Host too) */
  request(url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Answer>;
  /** Runs a program inside the namespace (e.g. `nft` to give the host a firewall); rejects on a non-zero exit. */
  exec(file: string, args: string[]): Promise<{ stdout: string; stderr: string }>;
  destroy(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const ip = (...args: string[]) => exec('ip', args, { timeout: 10_000 });

// Runs inside the namespace: one request, the answer as JSON on stdout.
const CLIENT = `
const http = require('node:http');
const [url, init] = [process.argv[1], JSON.parse(process.argv[2])];
const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, timeout: 10000 }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (d) => (body += d));
  res.on('end', () => process.stdout.write(JSON.stringify({ status: res.statusCode, headers: res.headers, body })));
});
req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
req.on('error', (e) => { process.stderr.write(String(e.message)); process.exit(1); });
req.end(init.body);
`;

async function freeSubnet(): Promise<[number, number]> {
  const { stdout } = await ip('-o', '-4', 'addr', 'show');
  for (let attempt = 0; attempt < 20; attempt++) {
    const [b, c] = [18 + randomInt(2), randomInt(256)];
    const d = randomInt(64) * 4;
    if (!stdout.includes(` 198.${b}.${c}.${d + 1}/`)) return [b * 256 + c, d];
  }
  throw new Error('no free /30 in 198.18.0.0/15 after 20 tries');
}

/**
 * Creates the namespace (needs root, as CI runs the tests: `ip netns add`). Every test that
 * creates one destroys it, which removes the veth pair with it.
 */
export async function createNetworkNamespace(): Promise<NetworkNamespace> {
  if (process.getuid?.() !== 0) throw new Error('createNetworkNamespace: ip netns needs root (the tests run as root in CI)');
  const id = randomBytes(4).toString('hex');
  const name = `kdt-${id}`;
  const [hostSide, nsSide] = [`kdt${id}h`, `kdt${id}n`];
  const [bc, d] = await freeSubnet();
  const prefix = `198.${Math.floor(bc / 256)}.${bc % 256}`;
  const hostAddress = `${prefix}.${d + 1}`;
  const address = `${prefix}.${d + 2}`;
  await ip('netns', 'add', name);
  const destroy = async () => {
    await ip('link', 'del', hostSide).catch(() => undefined);
    await ip('netns', 'del', name).catch(() => undefined);
  };
  try {
    await ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide);
    await ip('link', 'set', nsSide, 'netns', name);
    await ip('addr', 'add', `${hostAddress}/30`, 'dev', hostSide);
    await ip('link', 'set', hostSide, 'up');
    await ip('-n', name, 'addr', 'add', `${address}/30`, 'dev', nsSide);
    await ip('-n', name, 'link', 'set', nsSide, 'up');
    await ip('-n', name, 'link', 'set', 'lo', 'up');
  } catch (error) {
    await destroy();
    throw error;
  }
  const request: NetworkNamespace['request'] = (url, init = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', name, process.execPath, '-e', CLIENT, url, JSON.stringify(init)], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(JSON.parse(stdout) as Answer);
        else reject(new Error(`request to ${url} from namespace ${name} failed: ${stderr.trim() || `exit ${code}`}`));
      });
    });
  const run: NetworkNamespace['exec'] = (file, args) => exec('ip', ['netns', 'exec', name, file, ...args], { timeout: 10_000 });
  return { name, hostAddress, address, network: `${prefix}.${d}/30`, request, exec: run, destroy, [Symbol.asyncDispose]: destroy };
}
