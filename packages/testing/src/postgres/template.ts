import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { RunAs } from './account.js';
import { freePort } from './free-port.js';
import { run } from './run.js';
import type { PgServer } from './servers.js';
import { startServer, stopServer, writeHba, writeServerSettings } from './server-process.js';

/** The application role and database every throwaway cluster starts with. */
export const APP_ROLE = 'kdt_app';
export const APP_DATABASE = 'kdt_app';
export const SUPERUSER = 'postgres';

export interface Template {
  dataDir: string;
  appPassword: string;
}

// Bump when what a template holds changes, so older caches are not reused.
const FORMAT = 1;

function templateRoot(server: PgServer): string {
  return join(tmpdir(), 'kit-db-test-pg-templates', `${server.kind}-${server.version}-f${FORMAT}`);
}

/**
 * initdb is the slow part of a throwaway cluster (about a second), so it runs once per server
 * build: the initialised data directory, with the application role and its database, is kept as a
 * template that each cluster copies. Workers racing to build it each build their own and the first
 * rename wins.
 */
export async function ensureTemplate(server: PgServer, account: RunAs | undefined): Promise<Template> {
  const root = templateRoot(server);
  const meta = join(root, 'template.json');
  if (existsSync(meta)) return { dataDir: join(root, 'data'), ...JSON.parse(readFileSync(meta, 'utf8')) };

  mkdirSync(join(root, '..'), { recursive: true });
  const work = mkdtempSync(`${root}.build-`);
  if (account) chownSync(work, account.uid, account.gid);
  const dataDir = join(work, 'data');
  const appPassword = randomBytes(12).toString('base64url');
  try {
    await run(join(server.bin, 'initdb'), ['-D', dataDir, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], account);
    writeServerSettings(dataDir, { port: await freePort(), socketDir: work, addresses: '' });
    writeHba(dataDir, `local all ${SUPERUSER} trust\n`, account);
    const logFile = join(work, 'build.log');
    await startServer(server.bin, account, dataDir, logFile);
    try {
      const port = Number(/^port = (\d+)$/m.exec(readFileSync(join(dataDir, 'postgresql.conf'), 'utf8'))?.[1]);
      const client = new pg.Client({ host: work, port, user: SUPERUSER, database: 'postgres' });
      await client.connect();
      try {
        await client.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${appPassword}'`);
        await client.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_ROLE}`);
      } finally {
        await client.end();
      }
    } finally {
      await stopServer(server.bin, account, dataDir);
    }
    writeFileSync(join(work, 'template.json'), JSON.stringify({ appPassword }));
    try {
      renameSync(work, root);
    } catch {
      rmSync(work, { recursive: true, force: true }); // another worker finished first
    }
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  return { dataDir: join(root, 'data'), ...JSON.parse(readFileSync(meta, 'utf8')) };
}

/** Copies the template's data directory, keeping ownership and the 0700 mode the server insists on. */
export function copyTemplate(template: Template, target: string): void {
  execFileSync('cp', ['-a', template.dataDir, target]);
}
