import { error, fail, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { openDatabase, recoverFrom, type Database } from '#lib/server/database.js';
import { explainFailure } from '#lib/server/explain-failure.js';
import { publicFailure, publicPageState } from '#lib/server/public-view.js';
import type { Cursor } from '#lib/server/page-sql.js';
import { PageParameterError, parsePageRequest } from '#lib/server/pagination.js';
import { legacyCursor, pageState, PAGE_DB_TIMEOUT_MS } from '#lib/server/status.js';
import { pageHref } from '#lib/page-links.js';
import { fieldsNotUtf8 } from '#lib/server/form-utf8.js';
import { CommitUnknownError, insertOnPostgres } from '#lib/server/postgres-insert.js';
import { rememberSaved, takeSaved } from '#lib/server/saved-notice.js';
import { insertRow } from '#lib/server/stuff-store.js';
import { newSubmissionToken, readSubmissionToken, submissionKey } from '#lib/server/submission.js';
import { withTimeout } from '#lib/server/with-timeout.js';
import { toColumns } from '#lib/row-columns.js';
import { parseStuffForm, type StuffErrors } from '#lib/stuff-form.js';
import type { Actions, PageServerLoad } from './$types';

function isHttpError(cause: unknown): boolean {
  return cause instanceof Error && typeof (cause as { status?: unknown }).status === 'number';
}

/**
 * The posted form, with the fields whose bytes are not UTF-8, or a 4xx that says what is wrong
 * with the body: a body that is not a form (e.g. text/plain, which SvelteKit lets through to
 * actions, or broken multipart) is the client's error, never a 500. A body over BODY_SIZE_LIMIT
 * keeps the 413 adapter-node gave it.
 */
async function readForm(request: Request): Promise<{ data: FormData; notUtf8: Set<string> }> {
  const contentType = request.headers.get('content-type') ?? '';
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  let body: ArrayBuffer;
  try {
    // Read once as bytes: formData() alone would hide invalid UTF-8 behind U+FFFD.
    body = await request.arrayBuffer();
  } catch (cause) {
    if (isHttpError(cause)) throw cause;
    error(400, 'The form could not be read: the body broke off.');
  }
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
    error(415, 'Post the form as application/x-www-form-urlencoded or multipart/form-data.');
  }
  try {
    const data = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    return { data, notUtf8: fieldsNotUtf8(contentType, new Uint8Array(body)) };
  } catch {
    error(400, `The form could not be read: the body is not valid ${type}.`);
  }
}

/** The rows the query string asks for: 400 for a malformed cursor, a redirect for an old `?page=N` link. */
async function cursorOf(url: URL): Promise<Cursor> {
  let request;
  try {
    request = parsePageRequest(url.searchParams);
  } catch (cause) {
    if (cause instanceof PageParameterError) error(400, cause.message);
    throw cause;
  }
  if (request.kind !== 'legacy') return request;
  const cursor = await legacyCursor(request.number);
  // A page number names different rows after every insert: a temporary redirect, never cached.
  if (cursor) redirect(302, pageHref(resolve('/'), cursor));
  return { kind: 'newest' };
}

export const load: PageServerLoad = async ({ url, locals, cookies }) => {
  const cursor = locals.dbFailure ? ({ kind: 'newest' } as const) : await cursorOf(url);
  const { rows, ...state } = await pageState(cursor, locals.dbFailure);
  if (state.failure) locals.status = 503;
  const saved = takeSaved(cookies, url.searchParams.get('saved'), { path: url.pathname, secure: url.protocol === 'https:' });
  return {
    state: locals.details ? state : publicPageState(state),
    details: locals.details,
    rows: toColumns(rows),
    saved,
    // Each rendered form gets its own: posting it twice stores one row (see submission.ts).
    submission: newSubmissionToken(),
  };
};

export const actions = {
  // The default action, so a plain POST to the page (a browser without JavaScript, a load test) adds a row.
  default: async ({ request, locals, cookies, url }) => {
    const { data, notUtf8 } = await readForm(request);
    const form = parseStuffForm(data, notUtf8);
    const submission = readSubmissionToken(data);
    // A form re-rendered after a failure keeps its token, so posting it again is the same submission.
    const token = submission.ok ? submission.token : null;
    if (!form.ok) return fail(400, { input: form.input, errors: form.errors, failure: null, outcome: null, formError: null, submission: token });
    if (!submission.ok) {
      return fail(400, { input: form.value, errors: {} as StuffErrors, failure: null, outcome: null, formError: submission.error, submission: null });
    }
    const key = token === null ? null : submissionKey(token, form.value);
    let id: number;
    let db: Database | undefined;
    try {
      db = await openDatabase();
      id =
        db.config.target.driver === 'postgresql'
          ? await insertOnPostgres(db.orm, form.value, key, PAGE_DB_TIMEOUT_MS)
          : await withTimeout(insertRow(db.orm, form.value, key), PAGE_DB_TIMEOUT_MS, 'saving the row');
    } catch (error) {
      const unknown = error instanceof CommitUnknownError;
      const cause = unknown ? error.cause : error;
      recoverFrom(cause, db);
      const failure = explainFailure(cause, db?.config);
      locals.dbFailure = failure;
      // "unknown": the database received the COMMIT and did not answer; the row may be stored.
      const outcome = unknown ? ('unknown' as const) : ('not-saved' as const);
      return fail(503, { input: form.value, errors: {} as StuffErrors, failure: locals.details ? failure : publicFailure(failure), outcome, formError: null, submission: token });
    }
    // Post/redirect/get: a refresh shows the page again instead of posting twice.
    const location = `${resolve('/')}?saved=${id}`;
    rememberSaved(cookies, id, { path: new URL(location, url).pathname, secure: url.protocol === 'https:' });
    redirect(303, location);
  },
} satisfies Actions;
