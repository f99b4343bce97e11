import { fail, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { openDatabase } from '#lib/server/database.js';
import { explainFailure } from '#lib/server/explain-failure.js';
import { pageState, PAGE_DB_TIMEOUT_MS } from '#lib/server/status.js';
import { insertRow } from '#lib/server/stuff-store.js';
import { withTimeout } from '#lib/server/with-timeout.js';
import { parseStuffForm, type StuffErrors } from '#lib/stuff-form.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url, locals }) => {
  const state = await pageState(url.searchParams.get('page'));
  if (state.failure) locals.status = 503;
  const saved = url.searchParams.get('saved');
  return { state, saved: saved !== null && /^\d+$/.test(saved) ? Number(saved) : null };
};

export const actions = {
  // The default action, so a plain POST to the page (a browser without JavaScript, a load test) adds a row.
  default: async ({ request }) => {
    const form = parseStuffForm(await request.formData());
    if (!form.ok) return fail(400, { input: form.input, errors: form.errors, failure: null });
    let id: number;
    try {
      const db = await openDatabase();
      id = await withTimeout(insertRow(db.orm, form.value), PAGE_DB_TIMEOUT_MS, 'saving the row');
    } catch (error) {
      const db = await openDatabase().catch(() => undefined);
      return fail(503, { input: form.value, errors: {} as StuffErrors, failure: explainFailure(error, db?.config) });
    }
    // Post/redirect/get: a refresh shows the page again instead of posting twice.
    redirect(303, `${resolve('/')}?saved=${id}`);
  },
} satisfies Actions;
