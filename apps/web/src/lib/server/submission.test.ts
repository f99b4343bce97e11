import { describe, expect, it } from 'vitest';
import { newSubmissionToken, readSubmissionToken, submissionKey } from './submission.js';

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
};

describe('submission tokens and keys', () => {
  it('reads a rendered token back; no token is no protection, not an error; anything else is refused', () => {
    const token = newSubmissionToken();
    expect(readSubmissionToken(form({ submission: token }))).toEqual({ ok: true, token });
    expect(readSubmissionToken(form({}))).toEqual({ ok: true, token: null });
    expect(readSubmissionToken(form({ submission: "x' or 1=1" }))).toEqual({
      ok: false,
      error: 'The submission token of this form is not valid: reload the page and post again.',
    });
  });

  it('the same form and text give the same key; other text, or another form, another key', () => {
    const token = newSubmissionToken();
    const key = submissionKey(token, { stuff: 'a', things: 'b' });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(submissionKey(token, { stuff: 'a', things: 'b' })).toBe(key);
    expect(submissionKey(token, { stuff: 'a', things: 'b!' })).not.toBe(key);
    expect(submissionKey(newSubmissionToken(), { stuff: 'a', things: 'b' })).not.toBe(key);
  });
});
