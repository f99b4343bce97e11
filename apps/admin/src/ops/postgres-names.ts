// Writing a role or database name into pg_hba.conf and into SQL.

// pg_hba.conf gives these words a meaning of their own unless they are quoted.
const HBA_KEYWORDS = new Set(['all', 'sameuser', 'samerole', 'samegroup', 'replication']);

/** Why `name` cannot be written into pg_hba.conf or psql's script, or null when it can. */
export function unwritableName(name: string): string | null {
  // pg_hba.conf has no escape for a double quote inside a quoted token; psql's variables and
  // backslash commands are line-based.
  if (/["\\\n\r\t\0]/.test(name)) return 'contains a double quote, a backslash or a control character';
  if (name.length > 63) return 'is longer than 63 bytes, PostgreSQL\'s limit for names';
  return null;
}

/** A database or role name as a pg_hba.conf token: bare when PostgreSQL reads it back unchanged, else quoted. */
export function hbaToken(name: string): string {
  const plain = /^[a-z_][a-z0-9_$-]*$/.test(name) && !HBA_KEYWORDS.has(name);
  return plain ? name : `"${name}"`;
}

/** An SQL identifier, always quoted, so case and reserved words are kept as they are. */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** An SQL string literal. */
export function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
