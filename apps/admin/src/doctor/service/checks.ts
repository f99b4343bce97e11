import type { DoctorContext } from '../context.js';
import type { SiteListen } from '../site/site-settings.js';
import { SITE_UNIT } from '../site/site-settings.js';
import { fail, pass, skip, warn, type Check, type CheckOutcome } from '../types.js';
import { httpFetch, type HttpResult } from './http-get.js';
import { parseShow } from './systemctl-show.js';

/** The site's /health; who answered (driver, database, user) only for a visitor KDT_DETAILS lets see it. */
interface Health {
  status: string;
  db: { ok: boolean; driver?: string | null; database?: string | null; user?: string | null; serverVersion?: string | null };
  app: { version?: string; instance: string };
}

function whoAnswered(health: Health): string {
  const who = 'driver' in health.db ? `${health.db.driver} ${health.db.database} as ${health.db.user}` : 'database details not shown to this address (KDT_DETAILS)';
  return `${who}, instance ${health.app.instance}`;
}

function describeListen(listen: SiteListen): string {
  return listen.kind === 'socket' ? `unix:${listen.path}` : `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
}

function directHealth(context: DoctorContext): Promise<HttpResult> {
  const { listen, basePath } = context.site;
  const path = `${basePath}/health`;
  return listen.kind === 'socket'
    ? httpFetch({ url: `http://localhost${path}`, socketPath: listen.path, timeoutMs: context.timeoutMs })
    : httpFetch({ url: `${describeListen(listen)}${path}`, timeoutMs: context.timeoutMs });
}

function parseHealth(result: HttpResult): Health | null {
  if (!result.ok) return null;
  try {
    const h = JSON.parse(result.answer.body) as Health;
    return h && typeof h.app?.instance === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** Is systemd the init system here? (sd_booted(3): /run/systemd/system exists.) */
function systemdPresent(context: DoctorContext): boolean {
  return context.files.exists('/run/systemd/system');
}

/**
 * The unit or an environment file changed after the service last started: the running process
 * still has the settings it started with (systemd reads both at start only; a changed unit also
 * needs daemon-reload, which NeedDaemonReload= says).
 */
async function staleSettings(context: DoctorContext, unitPath: string, envFiles: string[]): Promise<{ evidence: string[]; fix: string } | null> {
  const shown = await context.commands.run('systemctl', ['show', '-p', 'ActiveEnterTimestamp', '-p', 'NeedDaemonReload', SITE_UNIT]);
  if (shown.code !== 0) return null;
  const { startedAt, needsReload, raw } = parseShow(shown.stdout);
  if (startedAt === null) return null;
  const newer = [unitPath, ...envFiles].flatMap((file) => {
    const mtime = context.files.stat(file)?.mtimeMs;
    // systemd prints whole seconds: a file written in the second the service started is not newer.
    return mtime !== undefined && mtime >= startedAt + 1000 ? [{ file, mtime }] : [];
  });
  if (newer.length === 0 && !needsReload) return null;
  const evidence = [`systemctl show: ${raw}`, ...newer.map((n) => `${n.file} changed ${new Date(n.mtime).toISOString()}, after the service started (${new Date(startedAt).toISOString()})`)];
  const unitChanged = needsReload || newer.some((n) => n.file === unitPath);
  return { evidence, fix: unitChanged ? 'systemctl daemon-reload && systemctl restart kit-db-test' : 'systemctl restart kit-db-test' };
}

export const unitCheck: Check<DoctorContext> = {
  id: 'service.unit',
  title: 'Site service',
  async run(context): Promise<CheckOutcome> {
    if (!systemdPresent(context)) return skip('systemd not present (no /run/systemd/system): the site is not run as a service here');
    const { unitPath, unit } = context.site;
    if (!unitPath || !unit) {
      return fail(`no ${SITE_UNIT} unit`, [], ['pnpm admin ops render, then install the unit it prints and systemctl daemon-reload']);
    }
    const enabled = await context.commands.run('systemctl', ['is-enabled', SITE_UNIT]);
    const active = await context.commands.run('systemctl', ['is-active', SITE_UNIT]);
    const state = `${unitPath}: is-enabled ${enabled.stdout.trim() || enabled.error || '?'}, is-active ${active.stdout.trim() || active.error || '?'}, User=${unit.user ?? '(root)'}`;
    if (active.stdout.trim() !== 'active') {
      return fail(`${SITE_UNIT} is not running (${active.stdout.trim() || active.error})`, [state], [`systemctl start ${SITE_UNIT}; journalctl -u ${SITE_UNIT} -n 50 says why it stopped`]);
    }
    if (enabled.stdout.trim() !== 'enabled') {
      return warn(`${SITE_UNIT} runs but will not start at boot`, [state], [`systemctl enable ${SITE_UNIT}`]);
    }
    if (!unit.user) return warn(`${SITE_UNIT} runs as root`, [state], ['set User= and Group= to a service account in the unit']);
    const stale = await staleSettings(context, unitPath, unit.environmentFiles);
    if (stale) return warn('the running site has old settings: systemctl restart kit-db-test', [state, ...stale.evidence], [stale.fix]);
    return pass(`${SITE_UNIT} is enabled and active, as ${unit.user}`, [state]);
  },
};

export const siteHealthCheck: Check<DoctorContext> = {
  id: 'service.health',
  title: 'Site answers',
  async run(context): Promise<CheckOutcome> {
    const where = describeListen(context.site.listen);
    const result = await directHealth(context);
    if (!result.ok) {
      const evidence = [`GET ${where}${context.site.basePath}/health: ${result.message}`, `settings from ${context.site.envSource}`];
      // Nothing says a site is deployed here (no unit, no --env-file, no --public-url): a site that
      // is not running is then a fact, not a fault.
      const deployed = context.site.unitPath !== null || context.options.envFile !== undefined || context.options.publicUrl !== undefined;
      if (!deployed) return skip(`the site is not running at ${where}`, evidence);
      return fail(`nothing answers at ${where}`, evidence, [context.site.unitPath ? `systemctl status ${SITE_UNIT}` : 'start the site (./run.sh start, or its service)']);
    }
    const health = parseHealth(result);
    if (!health) return fail(`${where}${context.site.basePath}/health does not answer as the site would (HTTP ${result.answer.status})`, [result.answer.body.slice(0, 200)], ['another program listens there: check PORT/SOCKET_PATH in the site\'s environment']);
    const who = whoAnswered(health);
    if (result.answer.status !== 200) return fail(`the site answers, but its database does not (${who})`, [result.answer.body.slice(0, 300)]);
    return pass(`${where}: ${who}`, [`probed: GET ${where}${context.site.basePath}/health answered 200`]);
  },
};

/** A form post through httpd with an empty form: 400 means the origin check let it through (and nothing was stored). */
async function postThrough(publicUrl: URL, context: DoctorContext): Promise<HttpResult> {
  return httpFetch({
    url: publicUrl.href,
    method: 'POST',
    headers: { origin: publicUrl.origin, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: 'stuff=&things=',
    timeoutMs: context.timeoutMs,
  });
}

export const publicPathCheck: Check<DoctorContext> = {
  id: 'service.public',
  title: 'Through httpd',
  needs: ['service.health'],
  async run(context): Promise<CheckOutcome> {
    if (!context.site.publicUrl) return skip('give --public-url URL (the address a browser uses) to check the path through httpd');
    const publicUrl = new URL(context.site.publicUrl.endsWith('/') ? context.site.publicUrl : `${context.site.publicUrl}/`);
    const [viaProxy, direct] = await Promise.all([httpFetch({ url: new URL('health', publicUrl).href, timeoutMs: context.timeoutMs }), directHealth(context)]);
    if (!viaProxy.ok) return fail(`${publicUrl.href} does not answer: ${viaProxy.message}`, [], ['check httpd (systemctl status httpd) and the httpd checks']);
    const a = parseHealth(viaProxy);
    const b = parseHealth(direct);
    if (!a) {
      return fail(`${publicUrl.href}health is not the site's (HTTP ${viaProxy.answer.status})`, [`probed: GET ${publicUrl.href}health`, viaProxy.answer.body.slice(0, 200)], [
        'httpd gives these requests to something else than the site: httpd.vhost names the virtual host that takes them (and why), httpd.proxy what its ProxyPass points at',
      ]);
    }
    if (b && a.app.instance !== b.app.instance) {
      return fail('httpd reaches another site process than the one on the configured address', [`through httpd: instance ${a.app.instance}; direct: instance ${b.app.instance}`], ['point ProxyPass at the address in the site\'s environment']);
    }
    if (b && 'database' in a.db && 'database' in b.db && (a.db.database !== b.db.database || a.db.user !== b.db.user)) {
      return fail('httpd reaches a site on another database', [`through httpd: ${a.db.database} as ${a.db.user}; direct: ${b.db.database} as ${b.db.user}`]);
    }
    const post = await postThrough(publicUrl, context);
    if (post.ok && post.answer.status === 403) {
      return fail('form posts through httpd are refused by the origin check (403)', [
        `POST ${publicUrl.href} with Origin ${publicUrl.origin}: ${post.answer.body.slice(0, 120)}`,
        `the site derives its origin from ${context.site.origin ? `ORIGIN=${context.site.origin}` : context.site.protocolHeader ? `${context.site.protocolHeader} / ${context.site.hostHeader ?? 'Host'}` : 'the request (http://<Host>)'}`,
      ], [`set ORIGIN=${publicUrl.origin} in the site's environment file, then systemctl restart ${SITE_UNIT}`]);
    }
    if (!post.ok || post.answer.status !== 400) {
      return warn(`a test form post through httpd answered ${post.ok ? post.answer.status : post.code}, not 400`, []);
    }
    return pass(`${publicUrl.href} reaches instance ${a.app.instance}; a form post passes the origin check`, [
      `probed: GET ${publicUrl.href}health answered instance ${a.app.instance}${b ? ', the one on the direct address' : ''}`,
      `probed: POST ${publicUrl.href} with Origin ${publicUrl.origin} and an empty form: 400 (the origin check let it through; nothing stored)`,
    ]);
  },
};

/** The environment and password files hold secrets: the service may read them, nobody else. */
export const secretsCheck: Check<DoctorContext> = {
  id: 'fs.secrets',
  title: 'Secret files',
  async run(context): Promise<CheckOutcome> {
    const files = new Set<string>(context.site.unit?.environmentFiles ?? []);
    if (context.options.envFile) files.add(context.options.envFile);
    const passwordFile = context.site.env.DATABASE_PASSWORD_FILE;
    if (passwordFile) files.add(passwordFile);
    if (files.size === 0) return skip('no environment or password file configured');
    const open: string[] = [];
    const seen: string[] = [];
    for (const file of files) {
      const s = context.files.stat(file);
      if (!s) continue;
      seen.push(`${file} mode 0${(s.mode & 0o777).toString(8)}`);
      if ((s.mode & 0o004) !== 0) open.push(file);
    }
    if (open.length) return fail(`readable by every user: ${open.join(', ')}`, seen, open.map((f) => `chmod 640 ${f} (owner root, group the service's)`));
    return pass(`${seen.length} file(s), none readable by other users`, seen);
  },
};

export const serviceChecks: Check<DoctorContext>[] = [unitCheck, siteHealthCheck, publicPathCheck, secretsCheck];
