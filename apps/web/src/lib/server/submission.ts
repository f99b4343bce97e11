import { createHash, randomUUID } from 'node:crypto';
import type { StuffInput } from '../stuff-form.js';

/** The hidden field that carries a rendered form's token. */
export const SUBMISSION_FIELD = 'submission';

const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A fresh token for a rendered form; posting that form again carries the same one. */
export function newSubmissionToken(): string {
  return randomUUID();
}

export type SubmissionToken = { ok: true; token: string | null } | { ok: false; error: string };

/**
 * The posted token: null when the form carries none (a script, a page from before tokens), which
 * stores the row as before, only without the protection against storing it twice.
 */
export function readSubmissionToken(data: FormData): SubmissionToken {
  const value = data.get(SUBMISSION_FIELD);
  if (value === null || value === '') return { ok: true, token: null };
  if (typeof value === 'string' && TOKEN.test(value)) return { ok: true, token: value };
  return { ok: false, error: 'The submission token of this form is not valid: reload the page and post again.' };
}

/**
 * The key stored with the row: the form's token bound to what was posted. The same form posted
 * again finds its row; posted again with edited text it is another submission, stored as one.
 * NUL cannot occur in either field (the form refuses it), so it separates them unambiguously.
 */
export function submissionKey(token: string, input: StuffInput): string {
  return createHash('sha256').update(`${token}\0${input.stuff}\0${input.things}`).digest('hex');
}
