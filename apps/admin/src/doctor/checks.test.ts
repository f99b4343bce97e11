import { loadConfig } from '@kit-db-test/schema';
import { describe, expect, it } from 'vitest';
import { checksFor } from './checks.js';

// The runner does not sort: a `needs` that names a later (or unknown) check would skip silently
// with "an earlier check did not run". The registry itself must be in dependency order.
describe.each([
  ['SQLite', {}],
  ['PostgreSQL', { DATABASE_URL: 'postgresql://kdt@localhost/kdt' }],
])('the %s checks', (_, env) => {
  const checks = checksFor(loadConfig({ root: '/nonexistent', env }));

  it('have unique ids', () => {
    const ids = checks.map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('need only checks that run before them', () => {
    const misordered = checks.flatMap((c, i) => (c.needs ?? []).filter((need) => !checks.slice(0, i).some((earlier) => earlier.id === need)).map((need) => `${c.id} needs ${need}`));
    expect(misordered).toEqual([]);
  });
});
