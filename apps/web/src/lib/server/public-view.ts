import type { Failure } from './explain-failure.js';
import type { HealthReport } from './health.js';
import type { PageState } from './status.js';

/**
 * What a visitor without details learns of a failure: its kind and the operator's next step, in
 * fixed words. The configured summary and next step name hosts, users, databases and paths, and
 * the server's message may name anything: they stay on the server.
 */
const PUBLIC_FAILURES: Record<Failure['kind'], Pick<Failure, 'summary' | 'next'>> = {
  config: { summary: "the site's configuration is invalid", next: 'pnpm admin config' },
  connect: { summary: 'the database is unreachable', next: 'pnpm admin doctor' },
  tls: { summary: 'the encrypted connection to the database failed', next: 'pnpm admin doctor' },
  timeout: { summary: 'the database did not answer in time', next: 'pnpm admin doctor' },
  authenticate: { summary: "the database refused the site's login", next: 'pnpm admin doctor' },
  'database-missing': { summary: "the site's database does not exist", next: 'pnpm admin doctor' },
  'table-missing': { summary: "the site's table does not exist yet", next: 'pnpm admin init-database' },
  'schema-outdated': { summary: "the site's table is out of date", next: 'pnpm admin init-database' },
  permission: { summary: 'the database denied the site a privilege it needs', next: 'pnpm admin doctor' },
  'sqlite-file': { summary: "the site cannot open or write its database file", next: 'pnpm admin doctor' },
  'disk-full': { summary: "the disk holding the site's database is full", next: 'pnpm admin doctor' },
  other: { summary: 'the database failed', next: 'pnpm admin doctor' },
};

/** A failure as a visitor without details sees it: the kind, the code (a SQLSTATE names no one) and the next step; no message. */
export function publicFailure(failure: Failure): Failure {
  return { kind: failure.kind, ...PUBLIC_FAILURES[failure.kind], message: '', code: failure.code };
}

/** The page's state without who answered: the verdicts, the timings and the rows, which any visitor may read. */
export function publicPageState<S extends Omit<PageState, 'rows'>>(state: S): S {
  return {
    ...state,
    profile: null,
    driver: null,
    target: null,
    identity: null,
    failure: state.failure && publicFailure(state.failure),
  };
}

/** What /health tells a load balancer: up or down, how fast, what kind of failure, which process. */
export interface PublicHealth {
  status: HealthReport['status'];
  db: { ok: boolean; latencyMs: number; error?: Pick<Failure, 'kind' | 'code'> };
  app: { instance: string };
}

export function publicHealth(report: HealthReport): PublicHealth {
  const { error } = report.db;
  return {
    status: report.status,
    db: { ok: report.db.ok, latencyMs: report.db.latencyMs, ...(error ? { error: { kind: error.kind, code: error.code } } : {}) },
    app: { instance: report.app.instance },
  };
}
