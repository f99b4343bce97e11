import { STUFF_MAX_LENGTH, THINGS_MAX_LENGTH } from '@kit-db-test/schema';
import { z } from 'zod';

/** What the form posts, exactly as typed: kept to re-fill the form after a rejected post. */
export interface StuffInput {
  stuff: string;
  things: string;
}

export type StuffErrors = Partial<Record<keyof StuffInput, string>>;

export type StuffFormResult = { ok: true; value: StuffInput } | { ok: false; input: StuffInput; errors: StuffErrors };

// PostgreSQL's varchar(255) counts characters (code points), not UTF-16 units: an emoji is one.
const characters = (s: string) => [...s].length;
// PostgreSQL's text types cannot hold the NUL character (SQLSTATE 22021): refuse it as input, not as a database failure.
const noNul = (s: string) => !s.includes('\0');

const stuffFormSchema = z.object({
  stuff: z
    .string()
    .refine((s) => s.trim() !== '', 'Stuff is required.')
    .refine(noNul, 'Stuff cannot contain the NUL character.')
    .refine((s) => characters(s) <= STUFF_MAX_LENGTH, {
      error: (issue) => `Stuff is at most ${STUFF_MAX_LENGTH} characters; this is ${characters(issue.input as string)}.`,
    }),
  things: z
    .string()
    .refine((s) => s.trim() !== '', 'Things is required.')
    .refine(noNul, 'Things cannot contain the NUL character.')
    .refine((s) => characters(s) <= THINGS_MAX_LENGTH, {
      error: (issue) => `Things is at most ${THINGS_MAX_LENGTH} characters; this is ${characters(issue.input as string)}.`,
    }),
});

function field(data: FormData, name: keyof StuffInput): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}

const LABELS: Record<keyof StuffInput, string> = { stuff: 'Stuff', things: 'Things' };

/**
 * Validates a posted form; a missing field counts as empty. `notUtf8` names the fields whose bytes
 * were not UTF-8: refused, not stored as the U+FFFD the lenient decoding put in their place. The
 * input comes back as read either way.
 */
export function parseStuffForm(data: FormData, notUtf8: ReadonlySet<string> = new Set()): StuffFormResult {
  const input: StuffInput = { stuff: field(data, 'stuff'), things: field(data, 'things') };
  const errors: StuffErrors = {};
  for (const key of ['stuff', 'things'] as const) {
    if (notUtf8.has(key)) errors[key] = `${LABELS[key]} is not valid UTF-8 text (� marks what could not be read): send the form encoded as UTF-8.`;
  }
  const parsed = stuffFormSchema.safeParse(input);
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, value: input };
  for (const issue of parsed.error?.issues ?? []) {
    const key = issue.path[0] as keyof StuffInput;
    errors[key] ??= issue.message;
  }
  return { ok: false, input, errors };
}
