import { z } from 'zod';

/**
 * A profile file, config/NAME.json. Unknown keys are errors: a misspelt key silently ignored is
 * how a server ends up on the wrong database.
 */
export const profileSchema = z.strictObject(
  {
  $schema: z.string().optional(),
  description: z.string().optional(),
  url: z.string({
    error: (issue) => (issue.input === undefined ? 'required: a postgresql:// or sqlite: URL' : 'expected a string: a postgresql:// or sqlite: URL'),
  }),
  passwordFile: z.string({ error: 'expected a file path' }).min(1, 'expected a file path').optional(),
  sslrootcert: z.string({ error: 'expected a file path, or system' }).min(1, 'expected a file path, or system').optional(),
  sslcert: z.string({ error: 'expected a file path' }).min(1, 'expected a file path').optional(),
  sslkey: z.string({ error: 'expected a file path' }).min(1, 'expected a file path').optional(),
  pool: z
    .strictObject({
      max: z.int('expected an integer from 1 to 100').min(1, 'expected an integer from 1 to 100').max(100, 'expected an integer from 1 to 100'),
    })
    .optional(),
  connectTimeoutMs: z
    .int('expected an integer of milliseconds (100-60000)')
    .min(100, 'expected an integer of milliseconds (100-60000)')
    .max(60_000, 'expected an integer of milliseconds (100-60000)')
    .optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'expected a JSON object, e.g. {"url": "sqlite:data/kit-db-test.sqlite"}' : undefined) },
);

export type ProfileFile = z.infer<typeof profileSchema>;

/** The first problem zod found, as `key.path: message` (unknown keys named one by one). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  if (issue.code === 'unrecognized_keys') {
    const parent = issue.path.length ? `${issue.path.join('.')}.` : '';
    return `${parent}${issue.keys[0]}: unknown key (known: ${knownKeys(issue.path).join(', ')})`;
  }
  const path = issue.path.length ? issue.path.join('.') : '(file)';
  return `${path}: ${issue.message}`;
}

function knownKeys(path: PropertyKey[]): string[] {
  let shape: z.ZodRawShape = profileSchema.shape;
  for (const key of path) {
    const next = shape[key as string];
    const inner = next instanceof z.ZodOptional ? next.unwrap() : next;
    if (!(inner instanceof z.ZodObject)) return [];
    shape = inner.shape;
  }
  return Object.keys(shape).filter((k) => k !== '$schema');
}
