import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startSite, type Site } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../test-support/run-admin.js';
import { BASE, postForm, startRenderedStack, type RenderedStack } from '../test-support/rendered-stack.js';

const CORE = `kdtS3cr3t${Math.random().toString(36).slice(2, 10)}`;
/** Distinctive, and full of characters that URLs, HTML, JSON and forms encode differently. */
const PASSWORD = `${CORE}/:@?&<Ω> %+#"'`;

/** Every form the password could take in a text: as is, percent-, form-, HTML-, JSON-encoded, base64; and its core alone. */
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
    CORE,
  ];
}

/** Texts to check, each with where it came from. */
const seen: { label: string; text: string }[] = [];
const record = (label: string, text: string) => seen.push({ label, text });

/** Where the texts recorded since `mark` (seen.length when a test began) show the password. */
function leaksSince(mark: number): string[] {
  const found: string[] = [];
  for (const { label, text } of seen.slice(mark)) {
    for (const form of passwordForms(PASSWORD)) {
      const at = text.indexOf(form);
      if (at >= 0) found.push(`${label}: ${JSON.stringify(text.slice(Math.max(0, at - 80), at + form.length + 20))}`);
    }
  }
  return found;
}

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
              admin(`${state}, password ${how}`, ['ops', 'render', '--layout', 'debian', '--public-url', stack.publicUrl], env()),
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
    expect(runs.map((r) => r.code).filter((c) => c !== 0 && c !== 1)).toEqual([]);
    const config = JSON.parse(runs[4]!.stdout); // config --json, the password in a file
    expect(JSON.stringify(config)).toContain('********');
    await everyPage('healthy');
    // ops render --out, with the password in the URL: no file it writes holds it.
    const out = join(stack.project.root, 'rendered-url');
    await admin('healthy, password url', ['ops', 'render', '--layout', 'rhel', '--out', out, '--public-url', stack.publicUrl], urlEnv);
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

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
