/**
 * MikroORM wraps generated DDL in session settings (`set names`, `pragma foreign_keys`) and blank
 * lines. Those alone mean "nothing to change"; this keeps only the statements that do something.
 */
export function meaningfulStatements(sql: string): string[] {
  return sql
    .split(/;\s*\n/)
    .map((s) => s.trim().replace(/;$/, ''))
    .filter((s) => s !== '' && !/^set names\b/i.test(s) && !/^pragma foreign_keys\b/i.test(s));
}
