import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/cli-error.js';
import { selectChecks } from './select-checks.js';
import { pass, type Check } from './types.js';

const check = (id: string, needs?: string[]): Check<object> => ({ id, title: id, ...(needs ? { needs } : {}), run: async () => pass('ok') });
const all = [
  check('config.valid'),
  check('pg.reachable', ['config.valid']),
  check('pg.server', ['pg.reachable']),
  check('pg.auth', ['pg.server']),
  check('service.unit'),
  check('service.health'),
  check('service.public', ['service.health']),
];
const ids = (only: string | undefined) => selectChecks(all, only).map((c) => c.id);

describe('doctor --only', () => {
  it('without it, every check', () => {
    expect(ids(undefined)).toEqual(all.map((c) => c.id));
  });

  it('a group takes every check of that prefix and the earlier checks they need, in the original order', () => {
    expect(ids('pg')).toEqual(['config.valid', 'pg.reachable', 'pg.server', 'pg.auth']);
    expect(ids('service.public,config')).toEqual(['config.valid', 'service.health', 'service.public']);
  });

  it('an id that names no check is a usage error listing the groups and ids', () => {
    expect(() => selectChecks(all, 'pg.nope')).toThrow(UsageError);
    expect(() => selectChecks(all, 'pg.nope')).toThrow(/--only: no check "pg.nope" for this configuration; the groups are config, pg, service and the ids config.valid, pg.reachable/);
    expect(() => selectChecks(all, ' , ')).toThrow(/--only: expected check ids or groups/);
  });
});
