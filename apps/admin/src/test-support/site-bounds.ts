/**
 * The bounds the site is configured with (apps/web/src/lib/server: health.ts HEALTH_TIMEOUT_MS,
 * status.ts PAGE_DB_TIMEOUT_MS, database.ts STATEMENT_TIMEOUT_MS), restated for the tests that hold
 * the deployed stack to them: the site is another package, whose sources these tests do not import.
 */
export const SITE_BOUNDS = {
  /** /health answers (503 when the database does not) within this */
  healthMs: 2000,
  /** the page, and a form post, give up on the database after this and say so */
  pageMs: 3000,
  /** the server cancels the site's statements (and lock waits) after this */
  statementMs: 2500,
} as const;
