import { error, fail, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { openDatabase, recoverFrom, type Database } from '#lib/server/database.js';
import { explainFailure } from '#lib/server/explain-failure.js';
import { publicFailure, publicPageState } from '#lib/server/public-view.js';
import type { Cursor } from '#lib/server/page-sql.js';
import { PageParameterError, parsePageRequest } from '#lib/server/pagination.js';
import { legacyCursor, pageState, PAGE_DB_TIMEOUT_MS } from '#lib/server/status.js';
import { pageHref } from '#lib/page-links.js';
import { insertRow } from '#lib/server/stuff-store.js';
import { withTimeout } from '#lib/server/with-timeout.js';
import { toColumns } from '#lib/row-columns.js';
import { parseStuffForm, type StuffErrors } from '#lib/stuff-form.js';
import type { Actions, PageServerLoad } from './$types';

/**
 * The posted form, or a 4xx that says what is wrong with the body: a body that is not a form (e.g.
 * text/plain, which SvelteKit lets through to actions, or broken multipart) is the client's error,
 * never a 500. A body over BODY_SIZE_LIMIT keeps the 413 adapter-node gave it.
 */
async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch (cause) {
    if (cause instanceof Error && typeof (cause as { status?: unknown }).status === 'number') throw cause;
    const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
      error(415, 'Post the form as application/x-www-form-urlencoded or multipart/form-data.');
    }
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

export const load: PageServerLoad = async ({ url, locals }) => {
  const cursor = locals.dbFailure ? ({ kind: 'newest' } as const) : await cursorOf(url);
  const { rows, ...state } = await pageState(cursor, locals.dbFailure);
  if (state.failure) locals.status = 503;
  const saved = url.searchParams.get('saved');
  return {
    state: locals.details ? state : publicPageState(state),
    details: locals.details,
    rows: toColumns(rows),
    saved: saved !== null && /^\d+$/.test(saved) ? Number(saved) : null,
  };
};

export const actions = {
  // The default action, so a plain POST to the page (a browser without JavaScript, a load test) adds a row.
  default: async ({ request, locals }) => {
    const form = parseStuffForm(await readForm(request));
    if (!form.ok) return fail(400, { input: form.input, errors: form.errors, failure: null });
    let id: number;
    let db: Database | undefined;
    try {
      db = await openDatabase();
      id = await withTimeout(insertRow(db.orm, form.value), PAGE_DB_TIMEOUT_MS, 'saving the row');
    } catch (error) {
      recoverFrom(error, db);
      const failure = explainFailure(error, db?.config);
      locals.dbFailure = failure;
      return fail(503, { input: form.value, errors: {} as StuffErrors, failure: locals.details ? failure : publicFailure(failure) });
    }
    // Post/redirect/get: a refresh shows the page again instead of posting twice.
    redirect(303, `${resolve('/')}?saved=${id}`);
  },
} satisfies Actions;
