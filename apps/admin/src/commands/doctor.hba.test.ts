import { createServer } from 'node:net';
import { tempProject } from '@kit-db-test/testing';
import { describe, expect, it } from 'vitest';
import { doctor } from '../test-support/doctor-report.js';

/** A loopback port nothing listens on: the doctor's server checks fail fast, pg.hba still runs. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('pnpm admin doctor on a hostile pg_hba.conf', () => {
  it('a regex that backtracks without end above the app line: bounded, and says which line it could not evaluate', async () => {
    using project = tempProject();
    const hba = project.writeFile('pg_hba.conf', `host all /^(k+)+\\1$ 127.0.0.1/32 reject\nhost all all 127.0.0.1/32 scram-sha-256\n`);
    const user = `${'k'.repeat(60)}x`;
    const report = await doctor(['--hba-file', hba], { env: { KDT_ROOT: project.root, DATABASE_URL: `postgresql://${user}@127.0.0.1:${await closedPort()}/kdt` } });
    const check = report.check('pg.hba');
    expect(check.status).toBe('warn');
    expect(check.summary).toMatch(/^line 2 \(host all all 127\.0\.0\.1\/32 scram-sha-256\) takes the app's TCP connection .*, unless line 1 above it matches \(not evaluated: regex too costly\)$/);
    expect(check.evidence[0]).toContain(`${hba} line 1: user "${user}" not evaluated: regex too costly`);
  });

  it('a nested quantifier without back-references is evaluated: the verdict is certain', async () => {
    using project = tempProject();
    const hba = project.writeFile('pg_hba.conf', `host all /^(k+)+$ 127.0.0.1/32 reject\nhost all all 127.0.0.1/32 scram-sha-256\n`);
    const report = await doctor(['--hba-file', hba], { env: { KDT_ROOT: project.root, DATABASE_URL: `postgresql://${'k'.repeat(60)}x@127.0.0.1:${await closedPort()}/kdt` } });
    expect(report.check('pg.hba')).toMatchObject({ status: 'pass', summary: expect.stringMatching(/^line 2 \(host all all 127\.0\.0\.1\/32 scram-sha-256\) takes the app's TCP connection/) });
  });

  it('a pg_hba.conf that includes itself: not checked, with the limit and what to fix, and the doctor ends', async () => {
    using project = tempProject();
    const hba = project.writeFile('pg_hba.conf', `local all all peer\n${'include pg_hba.conf\n'.repeat(10)}`);
    const report = await doctor(['--hba-file', hba], { env: { KDT_ROOT: project.root, DATABASE_URL: `postgresql://kdt@127.0.0.1:${await closedPort()}/kdt` } });
    expect(report.run.stderr).not.toMatch(/\n\s+at /);
    const check = report.check('pg.hba');
    expect(check.status).toBe('warn');
    expect(check.summary).toMatch(/^not checked: .*pg_hba\.conf \(found by --hba-file\): pg_hba\.conf and the files it includes hold too much: more than 200000 lines read/);
    expect(check.fix).toEqual([`fix the include lines of ${hba}, then run pnpm admin hba check ${hba}`]);
  });
});
