import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hostilePasswords, startPostgres, startSite, tempProject, type HostilePassword, type PgCluster, type Site, type TempProject } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../test-support/run-admin.js';
import { BASE, postForm, startRenderedStack, type RenderedStack } from '../test-support/rendered-stack.js';

const CORE = `kdtS3cr3t${Math.random().toString(36).slice(2, 10)}`;
/** Distinctive, and full of characters that URLs, HTML, JSON and forms encode differently. */
const PASSWORD = `${CORE}/:@?&<Ω> %+#"'`;

/** Every form the password could take in a text: as is, percent-, form-, HTML-, JSON-encoded, base64. */
function passwordForms(pw: string): string[] {
  const html = pw.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  return [
    pw,
    encodeURIComponent(pw),
    encodeURI(pw),
    new URLSearchParams({ p: pw }).toString().slice(2),
    html,
    JSON.stringify(pw).slice(1, -1),
    JSON.stringify(pw).slice(1, -1).replace(/</g, '\\u003C').replace(/>/g, '\\u003E'),
    Buffer.from(pw).toString('base64'),
  ];
}

/** Texts to check, each with where it came from. */
const seen: { label: string; text: string }[] = [];
const record = (label: string, text: string) => seen.push({ label, text });

/** Where any form of a password, or any of its distinctive pieces, shows in the texts. */
function leaksIn(texts: { label: string; text: string }[], secrets: { password: string; fragments: string[] }[]): string[] {
  const found: string[] = [];
  for (const { label, text } of texts) {
    for (const secret of secrets) {
      for (const form of [...passwordForms(secret.password), ...secret.fragments]) {
        const at = text.indexOf(form);
        if (at >= 0) found.push(`${label}: ${JSON.stringify(text.slice(Math.max(0, at - 80), at + form.length + 20))}`);
      }
    }
  }
  return found;
}

/** Where the texts recorded since `mark` (seen.length when a test began) show the password. */
const leaksSince = (mark: number) => leaksIn(seen.slice(mark), [{ password: PASSWORD, fragments: [CORE] }]);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function page(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000), ...init });
  return { status: response.status, text: `${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${await response.text()}` };
}

/**
 * A distinctive password in the configuration, given both ways (DATABASE_PASSWORD_FILE, and inside
 * DATABASE_URL, percent-encoded): every admin command, every page and /health, healthy and in
 * error states (wrong password, database down, a misspelt URL), and every log: none shows it.
 */
// Each test runs up to 20 admin commands at once (every doctor among them): CPU work, which on two
// shared cores takes longer than the default budget. No test here times a promise of the product.
describe('secrets: the password never shows', { timeout: 240_000 }, () => {
  let stack: RenderedStack;
  /** the same database, the password inside DATABASE_URL instead of a file */
  let urlEnv: Record<string, string>;
  let urlSite: Site;
  let doctorArgs: string[];

  const admin = async (label: string, args: string[], env: Record<string, string>) => {
    const run = await runAdmin(args, { env });
    record(`${label}: pnpm admin ${args.join(' ')} (exit ${run.code})`, run.all);
    return run;
  };
  /**
   * The commands, with the password in a file and in the URL. Those that do not talk to the
   * database (config, ops render, hba) print the same in every state: they run when healthy only.
   */
  const everyCommand = (state: string) =>
    Promise.all(
      (
        [
          ['file', () => stack.adminEnv],
          ['url', () => urlEnv],
        ] as const
      ).flatMap(([how, env]) => [
        admin(`${state}, password ${how}`, ['doctor', ...doctorArgs], env()),
        admin(`${state}, password ${how}`, ['doctor', '--json', '--verbose', ...doctorArgs], env()),
        admin(`${state}, password ${how}`, ['init-database'], env()),
        ...(state === 'healthy'
          ? [
              admin(`${state}, password ${how}`, ['config'], env()),
              admin(`${state}, password ${how}`, ['config', '--json'], env()),
              admin(`${state}, password ${how}`, ['init-database', '--dry-run'], env()),
              admin(`${state}, password ${how}`, ['ops', 'render', '--layout', 'debian', '--public-url', stack.publicUrl, '--base-path', BASE], env()),
              admin(`${state}, password ${how}`, ['hba', 'check', stack.cluster.hbaFile], env()),
              admin(`${state}, password ${how}`, ['hba', 'check', '--json', stack.cluster.hbaFile], env()),
              admin(`${state}, password ${how}`, ['hba', 'explain', stack.cluster.hbaFile, '--type', 'local', '--database', 'kdt', '--user', 'kdt'], env()),
            ]
          : []),
      ]),
    );
  /** the pages, /health, a valid and an invalid post, the round trip: through httpd and from the second site */
  const everyPage = async (state: string) => {
    for (const [how, url, origin] of [
      ['through httpd', stack.publicUrl, stack.publicOrigin],
      ['direct, password in the URL', urlSite.url, urlSite.origin],
    ] as const) {
      const label = `${state}, ${how}`;
      const pages = [
        ['GET /', await page(url, { headers: { accept: 'text/html' } })],
        ['GET /?page=2', await page(`${url}?page=2`, { headers: { accept: 'text/html' } })],
        ['GET /__data.json', await page(`${url}__data.json`)],
        ['GET /health', await page(`${url}health`)],
        ['POST / (valid)', await (async () => { const r = await postForm(url, origin, { stuff: `secrets ${state}`, things: 'x' }); return { status: r.status, text: await r.text() }; })()],
        ['POST / (invalid)', await (async () => { const r = await postForm(url, origin, { stuff: '', things: '' }); return { status: r.status, text: await r.text() }; })()],
        ['POST /roundtrip', await page(`${url}roundtrip`, { method: 'POST', headers: { origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: '' })],
        ['POST / (enhanced)', await page(url, { method: 'POST', headers: { origin, accept: 'application/json', 'x-sveltekit-action': 'true', 'content-type': 'application/x-www-form-urlencoded' }, body: 'stuff=&things=' })],
        ['GET /nope (404)', await page(`${url}nope`, { headers: { accept: 'text/html' } })],
      ] as const;
      for (const [what, answer] of pages) record(`${label}: ${what} (${answer.status})`, answer.text);
      const statuses = Object.fromEntries(pages.map(([what, answer]) => [what, answer.status]));
      expect(statuses['GET /nope (404)']).toBe(404);
      // Never a 500: the error states answer 503 with the explanation.
      expect(Object.values(statuses).filter((s) => s >= 500 && s !== 503)).toEqual([]);
      if (state === 'healthy') expect([statuses['GET /'], statuses['GET /health'], statuses['POST / (valid)']]).toEqual([200, 200, 303]);
      else expect([statuses['GET /'], statuses['GET /health']]).toEqual([503, 503]);
    }
  };

  beforeAll(async () => {
    stack = await startRenderedStack({ password: PASSWORD });
    urlEnv = {
      KDT_ROOT: stack.project.root,
      DATABASE_URL: `postgresql://kdt:${encodeURIComponent(PASSWORD)}@/kdt?host=${encodeURIComponent(stack.cluster.socketDir)}&port=${stack.cluster.port}`,
    };
    urlSite = await startSite(urlEnv, { buildDir: stack.siteEnv.KDT_BUILD_DIR!, basePath: BASE });
    doctorArgs = [
      '--env-file', join(stack.out, 'etc/kit-db-test/kit-db-test.env'),
      '--httpd-config', stack.apache.config,
      '--hba-file', stack.cluster.hbaFile,
      '--server-log', join(stack.cluster.dir, 'server.log'),
      '--public-url', stack.publicUrl,
    ];
  });
  afterAll(async () => {
    await urlSite?.stop();
    await stack?.stop();
  });

  it('healthy: every admin command (both ways of giving the password), every page and /health, the rendered files', async () => {
    const mark = seen.length;
    for (const output of stack.outputs) record('setting up: ops render, init-database', output);
    const runs = await everyCommand('healthy');
    expect(runs.filter((r) => r.code !== 0 && r.code !== 1).map((r) => r.all), 'commands that crashed or were refused').toEqual([]);
    const config = JSON.parse(runs[4]!.stdout); // config --json, the password in a file
    expect(JSON.stringify(config)).toContain('********');
    await everyPage('healthy');
    // ops render --out, with the password in the URL: no file it writes holds it.
    const out = join(stack.project.root, 'rendered-url');
    const rendered = await admin('healthy, password url', ['ops', 'render', '--layout', 'rhel', '--out', out, '--public-url', stack.publicUrl, '--base-path', BASE], urlEnv);
    expect(rendered.code, rendered.all).toBe(0);
    for (const file of filesUnder(out)) record(`rendered file ${file}`, readFileSync(file, 'utf8'));
    expect(seen.length - mark).toBeGreaterThanOrEqual(38); // what it looked at: a run that checked nothing cannot pass
    expect(leaksSince(mark)).toEqual([]);
  });

  it('the server refuses the password (changed on the server): every command, page and /health explain it without showing it', async () => {
    const mark = seen.length;
    await stack.cluster.admin(`ALTER ROLE kdt PASSWORD 'changed-on-the-server'`);
    try {
      // New processes, so that no connection opened before the change hides the refusal.
      const [behindHttpd, direct] = [stack.site, urlSite];
      await stack.restartSite();
      await urlSite.stop();
      urlSite = await startSite(urlEnv, { buildDir: stack.siteEnv.KDT_BUILD_DIR!, basePath: BASE });
      // Their whole output, now that it has closed.
      record('the site behind httpd, until the password changed: its output', behindHttpd.output());
      record('the site with the password in the URL, until the password changed: its output', direct.output());
      const runs = await everyCommand('wrong password');
      // The doctor names the cause (runs[1]: doctor --json, the password in a file).
      expect(JSON.parse(runs[1]!.stdout).checks.find((c: { id: string }) => c.id === 'pg.auth')).toMatchObject({ status: 'fail', summary: 'wrong password for "kdt"' });
      await everyPage('wrong password');
      const health = (await (await fetch(`${stack.publicUrl}health`)).json()) as { db: { error: { code: string } } };
      expect(health.db.error.code).toBe('28P01');
    } finally {
      await stack.cluster.admin(`SET password_encryption = 'scram-sha-256'`);
      await stack.cluster.admin(`ALTER ROLE kdt PASSWORD ${quoteLiteral(PASSWORD)}`);
    }
    expect(seen.length - mark).toBeGreaterThanOrEqual(24); // what it looked at: a run that checked nothing cannot pass
    expect(leaksSince(mark)).toEqual([]);
  });

  it('the database down: every command, page and /health explain it without showing it', async () => {
    const mark = seen.length;
    await stack.cluster.stop();
    try {
      await everyCommand('database down');
      await everyPage('database down');
    } finally {
      await stack.cluster.start();
    }
    expect(seen.length - mark).toBeGreaterThanOrEqual(24); // what it looked at: a run that checked nothing cannot pass
    expect(leaksSince(mark)).toEqual([]);
  });

  it('a misspelt URL holding the password: the configuration error names it masked, in the commands, the page and /health', async () => {
    const mark = seen.length;
    const bad = { KDT_ROOT: stack.project.root, DATABASE_URL: urlEnv.DATABASE_URL!.replace('postgresql:', 'postgress:') };
    const runs = await Promise.all([
      admin('misspelt URL', ['config'], bad),
      admin('misspelt URL', ['config', '--json'], bad),
      admin('misspelt URL', ['doctor'], bad),
      admin('misspelt URL', ['doctor', '--json'], bad),
      admin('misspelt URL', ['init-database'], bad),
      admin('misspelt URL', ['ops', 'render'], bad),
    ]);
    expect(runs[0]!.all).toContain('postgress://');
    // The same in a profile file, the way an operator might keep it.
    stack.project.writeProfile('leaky', { url: urlEnv.DATABASE_URL!.replace('postgresql:', 'postgress:') });
    await Promise.all([admin('misspelt URL in a profile', ['config', '--profile', 'leaky'], { KDT_ROOT: stack.project.root }), admin('misspelt URL in a profile', ['doctor', '--json', '--profile', 'leaky'], { KDT_ROOT: stack.project.root })]);
    await using site = await startSite(bad, { buildDir: stack.siteEnv.KDT_BUILD_DIR!, basePath: BASE });
    for (const path of ['', 'health']) {
      const answer = await page(`${site.url}${path}`, { headers: { accept: 'text/html' } });
      expect(answer.status).toBe(503);
      record(`misspelt URL: GET /${path} (${answer.status})`, answer.text);
    }
    await site.stop(); // its output is complete once it has closed
    record('misspelt URL: the site log', site.output());
    expect(seen.length - mark).toBeGreaterThanOrEqual(11); // what it looked at: a run that checked nothing cannot pass
    expect(leaksSince(mark)).toEqual([]);
  });

  it("the logs: both sites' output (complete once each has closed), httpd's error log", async () => {
    const mark = seen.length;
    // A process's output is complete once it has closed: stop each site, and start it again for what may follow.
    const behindHttpd = stack.site;
    await stack.restartSite();
    const direct = urlSite;
    await direct.stop();
    urlSite = await startSite(urlEnv, { buildDir: stack.siteEnv.KDT_BUILD_DIR!, basePath: BASE });
    record('the site behind httpd: its output', behindHttpd.output());
    record('the site with the password in the URL: its output', direct.output());
    record('httpd error log', stack.apache.errorLog());
    expect(behindHttpd.output()).toContain('listening on');
    expect(direct.output()).toContain('listening on');
    expect(leaksSince(mark)).toEqual([]);
    expect(seen.length - mark).toBe(3);
    // The check itself: it finds the password in any of its forms (each holds the core, but base64).
    expect(passwordForms(PASSWORD).filter((form) => !form.includes(CORE))).toEqual([Buffer.from(PASSWORD).toString('base64')]);
  });

});

/**
 * The table: passwords shaped to break a URL (the reported p@ss:w/rd#%, a b%zz, x?y, and "@", "#",
 * "?", "/", blanks, "%", newlines, quotes, unicode), each a real login of its own role. Each is
 * given every way an operator might: unencoded in DATABASE_URL and in a profile's url,
 * percent-encoded in DATABASE_URL, in DATABASE_PASSWORD_FILE, and in DATABASE_PASSWORD_FILE's
 * place. The site's start-up line, page, /health and log, and config, doctor (text and JSON),
 * init-database and ops render: none shows the password or any piece of it.
 */
describe('secrets: passwords with URL-special characters, encoded and not, on every surface', () => {
  const samples = hostilePasswords();
  let cluster: PgCluster;
  let project: TempProject;
  /** an empty system root for the doctor: no pg_hba.conf, unit or httpd of this machine in its report */
  let sysRoot: string;

  beforeAll(async () => {
    cluster = await startPostgres();
    project = tempProject();
    sysRoot = join(project.root, 'sysroot');
    mkdirSync(sysRoot);
    for (const [i, { password }] of samples.entries()) {
      await cluster.admin(`CREATE ROLE kdt_h${i} LOGIN PASSWORD ${quoteLiteral(password)}`);
      await cluster.admin(`CREATE DATABASE kdt_h${i} OWNER kdt_h${i}`);
    }
  });
  afterAll(async () => {
    await cluster?.destroy();
    project?.remove();
  });

  it('the check finds a password cut at its first "@", as the old mask left it', () => {
    const [sample] = samples as [HostilePassword];
    const cut = `postgresql://kdt:********@${sample.password.slice(sample.password.indexOf('@') + 1)}@/kdt`;
    expect(leaksIn([{ label: 'cut', text: cut }], [sample])).toHaveLength(sample.fragments.length - 1);
  });

  it.each(samples.map((sample, i) => ({ ...sample, i })))('a password with $label', { timeout: 180_000 }, async ({ i, password, fragments }) => {
    const texts: { label: string; text: string }[] = [];
    const user = `kdt_h${i}`;
    const where = `host=${encodeURIComponent(cluster.socketDir)}&port=${cluster.port}`;
    const passwordFile = project.writeFile(`password-${i}`, `${password}\n`);
    project.writeProfile(`hostile-${i}`, { url: `postgresql://${user}:${password}@/${user}?${where}` });
    const ways = {
      'unencoded in DATABASE_URL': { DATABASE_URL: `postgresql://${user}:${password}@/${user}?${where}` },
      "unencoded in a profile's url": { KDT_PROFILE: `hostile-${i}` },
      'percent-encoded in DATABASE_URL': { DATABASE_URL: `postgresql://${user}:${encodeURIComponent(password)}@/${user}?${where}` },
      'in DATABASE_PASSWORD_FILE': { DATABASE_URL: `postgresql://${user}@/${user}?${where}`, DATABASE_PASSWORD_FILE: passwordFile },
      'in the place of DATABASE_PASSWORD_FILE': { DATABASE_URL: `postgresql://${user}@/${user}?${where}`, DATABASE_PASSWORD_FILE: password },
    } as const;
    type Way = keyof typeof ways;
    const crashes: string[] = [];
    const refusals: Partial<Record<Way, string>> = {};
    const outcome: Partial<Record<Way, { config: number | null; auth: string | null; health: number | null; kind: string | null }>> = {};

    // The encoded URL first: its init-database creates the table the other ways then read.
    const init = await runAdmin(['init-database'], { env: { KDT_ROOT: project.root, ...ways['percent-encoded in DATABASE_URL'] } });
    texts.push({ label: 'percent-encoded in DATABASE_URL: init-database', text: init.all });
    expect(init.code).toBe(0);

    // The site reads DATABASE_URL itself; a profile's url and the password file take the same
    // code there whatever the password holds, so the commands suffice for those ways.
    const withSite: Way[] = ['unencoded in DATABASE_URL', 'percent-encoded in DATABASE_URL'];
    const everywhere = [['config'], ['config', '--json'], ['doctor', '--json', '--verbose', '--root', sysRoot]];
    const withUrl = [['doctor', '--root', sysRoot], ['init-database', '--dry-run'], ['ops', 'render', '--layout', 'debian']];
    // One way at a time: a site starting beside a dozen commands on two cores can miss its 15 s.
    for (const [way, vars] of Object.entries(ways) as [Way, Record<string, string>][]) {
      await (async () => {
        const env = { KDT_ROOT: project.root, ...vars };
        const site = withSite.includes(way) ? await startSite(env) : undefined;
        try {
          // The doctor checks this way's own site (else nothing listens on the port it is told of).
          const port = site ? new URL(site.origin).port : '1';
          const commands = [...everywhere, ...(way.includes('URL') ? withUrl : [])];
          const runs = await Promise.all(commands.map((args) => runAdmin(args, { env: { ...env, PORT: port } })));
          runs.forEach((run, k) => texts.push({ label: `${way}: pnpm admin ${commands[k]!.join(' ')} (exit ${run.code})`, text: run.all }));
          runs.forEach((r, k) => r.code !== 0 && r.code !== 1 && crashes.push(`${way}: ${commands[k]!.join(' ')} exited ${r.code}`));
          const auth = (JSON.parse(runs[2]!.stdout) as { checks: { id: string; status: string }[] }).checks.find((c) => c.id === 'pg.auth');
          outcome[way] = { config: runs[0]!.code, auth: auth?.status ?? null, health: null, kind: null };
          if (runs[0]!.code === 1) refusals[way] = runs[0]!.stderr;
          if (!site) return;
          for (const [what, answer] of [
            ['GET /', await page(site.url, { headers: { accept: 'text/html' } })],
            ['GET /__data.json', await page(`${site.url}__data.json`)],
            ['POST /', await (async () => { const r = await postForm(site.url, site.origin, { stuff: 'hostile', things: way }); return { status: r.status, text: await r.text() }; })()],
          ] as const) {
            texts.push({ label: `${way}: ${what} (${answer.status})`, text: answer.text });
          }
          const health = await fetch(`${site.url}health`, { signal: AbortSignal.timeout(10_000) });
          const body = await health.text();
          texts.push({ label: `${way}: GET /health (${health.status})`, text: body });
          outcome[way]!.health = health.status;
          outcome[way]!.kind = (JSON.parse(body) as { db: { error?: { kind: string } } }).db.error?.kind ?? null;
        } finally {
          await site?.stop();
          if (site) texts.push({ label: `${way}: the site's output (start-up line and log)`, text: site.output() });
        }
      })();
    }

    expect(leaksIn(texts, [{ password, fragments }])).toEqual([]);
    expect(crashes).toEqual([]);
    // Each refusal is one line naming the fix: percent-encoding, or a file's path where the password was.
    for (const [way, message] of Object.entries(refusals)) {
      expect(message.trim().split('\n')).toHaveLength(1);
      expect(message).toMatch(way === 'in the place of DATABASE_PASSWORD_FILE' ? /names no file/ : /percent-encode them \(@ as %40, : as %3A, \/ as %2F, \? as %3F, # as %23, % as %25, a blank as %20\)/);
    }
    // Given properly, the password logs in, whatever it holds.
    expect(outcome['percent-encoded in DATABASE_URL']).toEqual({ config: 0, auth: 'pass', health: 200, kind: null });
    expect(outcome['in DATABASE_PASSWORD_FILE']).toMatchObject({ config: 0, auth: 'pass' });
    // The password where its file's path belongs: a configuration error.
    expect(outcome['in the place of DATABASE_PASSWORD_FILE']).toMatchObject({ config: 1, auth: null });
    // Unencoded: refused as configuration (or, without URL delimiters, taken as it reads; what
    // looks percent-encoded already is decoded, as libpq does, and the server then refuses it).
    const unencoded = outcome['unencoded in DATABASE_URL']!;
    if (!/^(?:[^@/?#%\s\p{Cc}]|%[0-9A-Fa-f]{2})*$/u.test(password)) {
      expect(unencoded).toEqual({ config: 1, auth: null, health: 503, kind: 'config' });
    } else {
      const intact = decodeURIComponent(password) === password;
      expect(unencoded).toEqual(intact ? { config: 0, auth: 'pass', health: 200, kind: null } : { config: 0, auth: 'fail', health: 503, kind: 'authenticate' });
    }
    expect(outcome["unencoded in a profile's url"]).toMatchObject({ config: unencoded.config, auth: unencoded.auth });
  });
});

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
