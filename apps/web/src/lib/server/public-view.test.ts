import { describe, expect, it } from 'vitest';
import type { Failure } from './explain-failure.js';
import type { HealthReport } from './health.js';
import { publicFailure, publicHealth } from './public-view.js';

const LOGIN_REFUSED: Failure = {
  kind: 'authenticate',
  summary: 'PostgreSQL refused the login of "kdt_app" to "kdt"',
  message: 'password authentication failed for user "kdt_app"',
  code: '28P01',
  next: 'pnpm admin doctor (it reads pg_hba.conf and says which line decided, and the fix)',
};

describe('what a visitor without details learns', () => {
  it('of a failure: its kind, code and next step in fixed words, never the user, database or message', () => {
    const shown = publicFailure(LOGIN_REFUSED);
    expect(shown).toEqual({ kind: 'authenticate', summary: "the database refused the site's login", message: '', code: '28P01', next: 'pnpm admin doctor' });
    expect(JSON.stringify(shown)).not.toMatch(/kdt|pg_hba/);
  });

  it('from /health: up or down, latency, the kind of failure, the instance', () => {
    const report: HealthReport = {
      status: 'error',
      db: { ok: false, latencyMs: 3.2, driver: 'postgresql', serverVersion: null, database: 'kdt', user: 'kdt_app', error: LOGIN_REFUSED },
      app: { version: '0.1.0', instance: '0123456789ab' },
    };
    expect(publicHealth(report)).toEqual({ status: 'error', db: { ok: false, latencyMs: 3.2, error: { kind: 'authenticate', code: '28P01' } }, app: { instance: '0123456789ab' } });
  });
});
