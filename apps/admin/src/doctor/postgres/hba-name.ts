// Words pg_hba.conf reads as keywords when unquoted (case-sensitive, as the server compares them).
const KEYWORDS = new Set(['all', 'sameuser', 'samerole', 'samegroup', 'replication']);

/**
 * A role or database name as a pg_hba.conf token that means exactly that name: quoted when it is a
 * keyword, starts with + (group), @ (file) or / (regex, PostgreSQL 16+), or holds a blank, comma,
 * quote or #; a quote inside is doubled, as the server's tokenizer reads it.
 */
export function hbaName(name: string): string {
  const plain = name !== '' && !KEYWORDS.has(name) && /^[^\s,"#+@/][^\s,"#]*$/.test(name);
  return plain ? name : `"${name.replace(/"/g, '""')}"`;
}
