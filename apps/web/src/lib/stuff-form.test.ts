import { describe, expect, it } from 'vitest';
import { parseStuffForm } from './stuff-form.js';

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
};

describe('parseStuffForm', () => {
  it('accepts both fields, keeping them exactly as typed', () => {
    expect(parseStuffForm(form({ stuff: '  padded ', things: 'a\r\nb' }))).toEqual({ ok: true, value: { stuff: '  padded ', things: 'a\r\nb' } });
  });

  it('counts characters as PostgreSQL does: 255 emoji fit, 256 letters do not', () => {
    expect(parseStuffForm(form({ stuff: '👍'.repeat(255), things: 't' })).ok).toBe(true);
    expect(parseStuffForm(form({ stuff: 'a'.repeat(256), things: 't' }))).toEqual({
      ok: false,
      input: { stuff: 'a'.repeat(256), things: 't' },
      errors: { stuff: 'Stuff is at most 255 characters; this is 256.' },
    });
  });

  it('caps things at 4000 characters, counted as characters: 4000 emoji fit, 4001 letters do not', () => {
    expect(parseStuffForm(form({ stuff: 's', things: '👍'.repeat(4000) })).ok).toBe(true);
    expect(parseStuffForm(form({ stuff: 's', things: 'a'.repeat(4001) }))).toEqual({
      ok: false,
      input: { stuff: 's', things: 'a'.repeat(4001) },
      errors: { things: 'Things is at most 4000 characters; this is 4001.' },
    });
  });

  it('refuses a field whose bytes were not UTF-8, even when its text would pass, and gives the input back as read', () => {
    expect(parseStuffForm(form({ stuff: 'caf\uFFFD', things: 'fine' }), new Set(['stuff', 'other']))).toEqual({
      ok: false,
      input: { stuff: 'caf\uFFFD', things: 'fine' },
      errors: { stuff: 'Stuff is not valid UTF-8 text (� marks what could not be read): send the form encoded as UTF-8.' },
    });
  });

  it('reports every empty, blank or missing field, and gives the input back', () => {
    expect(parseStuffForm(form({ stuff: ' \t' }))).toEqual({
      ok: false,
      input: { stuff: ' \t', things: '' },
      errors: { stuff: 'Stuff is required.', things: 'Things is required.' },
    });
  });

  it('refuses the NUL character, which PostgreSQL cannot store, in either field', () => {
    expect(parseStuffForm(form({ stuff: 'a\0b', things: '\0' }))).toEqual({
      ok: false,
      input: { stuff: 'a\0b', things: '\0' },
      errors: { stuff: 'Stuff cannot contain the NUL character.', things: 'Things cannot contain the NUL character.' },
    });
  });
});
