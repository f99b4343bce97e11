import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSite,
  freePort,
  pgServers,
  query,
  startApache,
  startPostgres,
  startSite,
  tempProject,
  type Apache,
  type PgCluster,
  type PgServer,
  type Site,
  type TempProject,
} from '@kit-db-test/testing';
import { parseEnvironmentFile } from '../doctor/site/environment-file.js';
import { runAdmin } from './run-admin.js';

export const BASE = '/kit-db-test';

/**
 * The deployed stack as stack.e2e.test.ts wires it, for the load-and-fault suite: a throwaway
 * PostgreSQL set up from the files `pnpm admin ops render --layout debian` writes (role and database
 * from the rendered SQL, the rendered pg_hba lines), `init-database`, the site's sub-path build
 * started from the rendered environment file, and a private apache2 running the rendered site.
 */
export interface RenderedStack {
  project: TempProject;
  cluster: PgCluster;
  site: Site;
  apache: Apache;
  password: string;
  passwordFile: string;
  /** what the admin commands get: KDT_ROOT, DATABASE_URL (no password), DATABASE_PASSWORD_FILE */
  adminEnv: Record<string, string>;
  /** the site's environment, from the rendered environment file */
  siteEnv: Record<string, string>;
  /** http://127.0.0.1:APACHE/kit-db-test/ (https://127.0.0.1:TLS/kit-db-test/ with tls) */
  publicUrl: string;
  /** http://127.0.0.1:APACHE (https://127.0.0.1:TLS with tls): the ORIGIN the site requires of form posts */
  publicOrigin: string;
  /** the plain-http port of the private apache2 (with tls: the one that redirects) */
  httpPort: number;
  /** the rendered files' folder */
  out: string;
  /** the rendered environment file (the site's settings; the doctor's --env-file) */
  envFile: string;
  /** the rendered pg_hba lines for the app */
  hbaLines: string;
  /** the rendered httpd site, as the private apache2 runs it */
  renderedSite: string;
  /** where the site listens */
  sitePort: number;
  /** everything the admin commands printed while setting up */
  outputs: string[];
  /** the test's own view of the table, as the app role over the socket */
  appUrl: string;
  count(): Promise<number>;
  rows(): Promise<{ id: number; stuff: string; things: string }[]>;
  /** starts the site again (after site.stop()), with the same environment plus `extra` */
  restartSite(extra?: Record<string, string>): Promise<Site>;
  /** restarts the private apache2 with this site configuration (default: the rendered one) */
  restartApache(site?: string): Promise<Apache>;
  stop(): Promise<void>;
}

export interface StackOptions {
  password?: string;
  server?: PgServer;
  /**
   * Serve the public URL over https at httpd: rendered with --tls-cert/--tls-key, a private
   * apache2 with mod_ssl on a second port; publicUrl and publicOrigin are then https://.
   */
  tls?: { certificate: string; key: string; hsts?: boolean };
}

export async function startRenderedStack(options: StackOptions = {}): Promise<RenderedStack> {
  const server = options.server ?? pgServers()[0]!;
  const project = tempProject();
  const outputs: string[] = [];
  const password = options.password ?? `load-${Math.random().toString(36).slice(2)}-pw`;
  const passwordFile = project.writeFile('db-password', `${password}\n`);
  const out = join(project.root, 'rendered');
  const [apachePort, sitePort] = [await freePort(), await freePort()];
  const tlsPort = options.tls ? await freePort() : null;
  const publicOrigin = tlsPort ? `https://127.0.0.1:${tlsPort}` : `http://127.0.0.1:${apachePort}`;
  const publicUrl = `${publicOrigin}${BASE}/`;
  let cluster: PgCluster | undefined;
  let site: Site | undefined;
  let apache: Apache | undefined;
  try {
    cluster = await startPostgres({ server, hba: 'local all postgres trust' });
    const databaseUrl = `postgresql://kdt@/kdt?host=${cluster.socketDir}&port=${cluster.port}`;
    const adminEnv = { KDT_ROOT: project.root, DATABASE_URL: databaseUrl, DATABASE_PASSWORD_FILE: passwordFile };
    const render = await runAdmin(
      [
        'ops', 'render', '--layout', 'debian', '--out', out, '--public-url', publicUrl.slice(0, -1), '--port', String(sitePort), '--base-path', BASE,
        ...(options.tls ? ['--tls-cert', options.tls.certificate, '--tls-key', options.tls.key, ...(options.tls.hsts ? ['--hsts'] : [])] : []),
      ],
      { env: adminEnv },
    );
    outputs.push(render.all);
    if (render.code !== 0) throw new Error(`ops render failed:\n${render.all}`);
    const buildDir = buildSite(BASE);
    const envFile = join(out, 'etc/kit-db-test/kit-db-test.env');
    appendFileSync(envFile, `KDT_BUILD_DIR=${buildDir}\n`);
    const siteEnv = parseEnvironmentFile(readFileSync(envFile, 'utf8'));

    const psql = spawnSync(
      'psql',
      ['-X', '-h', cluster.socketDir, '-p', String(cluster.port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-f', join(out, 'postgres/create-role-and-database.sql')],
      { input: `${password}\n`, encoding: 'utf8' },
    );
    if (psql.status !== 0) throw new Error(`the rendered SQL failed:\n${psql.stdout}\n${psql.stderr}`);
    const hbaLines = readFileSync(join(out, 'postgres/pg_hba-kit-db-test.conf'), 'utf8');
    await cluster.setHba(['local   all   postgres   trust', hbaLines].join('\n'));

    const init = await runAdmin(['init-database'], { env: adminEnv });
    outputs.push(init.all);
    if (init.code !== 0) throw new Error(`init-database failed:\n${init.all}`);

    const startTheSite = (extra: Record<string, string> = {}) =>
      startSite({ ...siteEnv, ...adminEnv, ...extra }, { buildDir, basePath: BASE, port: sitePort });
    site = await startTheSite();
    const siteFile = readFileSync(join(out, 'etc/apache2/sites-available/kit-db-test.conf'), 'utf8');
    const tlsPreamble = tlsPort ? `\nDefine KDT_HTTPS_PORT ${tlsPort}\nListen 127.0.0.1:${tlsPort}` : '';
    const startTheApache = (conf: string) =>
      startApache({ site: conf, port: apachePort, preamble: `Define KDT_HTTP_PORT ${apachePort}${tlsPreamble}`, modules: tlsPort ? ['ssl', 'alias'] : [] });
    apache = await startTheApache(siteFile);

    const appUrl = `postgresql://kdt:${encodeURIComponent(password)}@/kdt?host=${encodeURIComponent(cluster.socketDir)}&port=${cluster.port}`;
    const stack: RenderedStack = {
      project,
      cluster,
      site,
      apache,
      password,
      passwordFile,
      adminEnv,
      siteEnv,
      publicUrl,
      publicOrigin,
      httpPort: apachePort,
      out,
      envFile,
      hbaLines,
      renderedSite: siteFile,
      sitePort,
      outputs,
      appUrl,
      count: async () => (await query<{ n: number }>(appUrl, 'select count(*)::int as n from stuff'))[0]!.n,
      rows: () => query(appUrl, 'select id, stuff, things from stuff order by id'),
      async restartSite(extra) {
        await stack.site.stop();
        stack.site = await startTheSite(extra);
        return stack.site;
      },
      async restartApache(conf = siteFile) {
        await stack.apache.stop();
        stack.apache = await startTheApache(conf);
        return stack.apache;
      },
      async stop() {
        await stack.apache.stop();
        await stack.site.stop();
        await stack.cluster.destroy();
        project.remove();
      },
    };
    return stack;
  } catch (error) {
    await apache?.stop();
    await site?.stop();
    await cluster?.destroy();
    project.remove();
    throw error;
  }
}

/** Milliseconds a piece of work took, with its value. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

export interface HealthBody {
  status: string;
  db: { ok: boolean; error?: { kind: string; code: string | null } };
  app: { instance: string };
}

/** The site's /health document, with the status and how long it took. */
export async function healthOf(url: string): Promise<{ status: number; ms: number; body: HealthBody }> {
  const start = performance.now();
  const response = await fetch(`${url}health`, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as HealthBody;
  return { status: response.status, ms: performance.now() - start, body };
}

/** A form post as a browser without JavaScript sends it to the public site. */
export function postForm(url: string, origin: string, fields: Record<string, string>, timeoutMs = 10_000): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    signal: AbortSignal.timeout(timeoutMs),
  });
}
