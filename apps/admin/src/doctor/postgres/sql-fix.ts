/** An SQL identifier, quoted as PostgreSQL parses it. */
export const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** An SQL string literal. */
export const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** A command that runs `sql` as the postgres superuser, quoted for a POSIX shell; `database` to run it in. */
export function psql(sql: string, database?: string): string {
  const shell = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  return `sudo -u postgres psql${database ? ` -d ${shell(database)}` : ''} -c ${shell(sql)}`;
}
