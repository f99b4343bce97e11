import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadConfig, parseDatabaseUrl } from '@kit-db-test/schema';
import { tempProject, type TempProject } from '@kit-db-test/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseFacts } from './database-facts.js';

const PASSWORD = 'Ops-render-pw-9c4e1';
let project: TempProject;
beforeEach(() => {
  project = tempProject();
  project.writeProfile('postgres', { url: 'postgresql://kdt@/kdt?host=/var/run/postgresql' });
});
afterEach(() => project.remove());

const facts = (env: NodeJS.ProcessEnv = {}, profile?: string) => databaseFacts(loadConfig({ root: project.root, env, profile }), '/srv/kit-db-test');

describe('databaseFacts', () => {
  it('names a profile in config/ so the service can choose it with KDT_PROFILE', () => {
    expect(facts({}, 'postgres')).toEqual({
      driver: 'postgresql',
      role: 'kdt',
      database: 'kdt',
      target: 'postgresql://kdt@/kdt?host=/var/run/postgresql',
      socket: true,
      host: '/var/run/postgresql',
      port: 5432,
      local: true,
      hasPassword: false,
      profile: { kind: 'named', name: 'postgres', file: 'config/postgres.json' },
      databaseUrl: null,
    });
  });

  it('rebuilds a DATABASE_URL without its password, and only notes that there was one', () => {
    const result = facts({ DATABASE_URL: `postgresql://app:${PASSWORD}@db.example:5433/appdb` });
    expect(result).toMatchObject({ databaseUrl: 'postgresql://app@db.example:5433/appdb', hasPassword: true, local: false, profile: { kind: 'default' } });
    expect(inspect(result, { depth: 5 })).not.toContain(PASSWORD);
  });

  it('rebuilds a socket folder with "+", "&" or a blank so that the service reads the same folder back', () => {
    const folder = '/srv/pg+sock & more';
    const result = facts({ DATABASE_URL: `postgresql://app@/appdb?host=${encodeURIComponent(folder)}&port=5433` });
    expect(result.databaseUrl).toBe('postgresql://app@/appdb?host=/srv/pg%2Bsock%20%26%20more&port=5433');
    expect(parseDatabaseUrl(result.databaseUrl!, 'DATABASE_URL', '/')).toMatchObject({ host: folder, port: 5433, socket: true });
  });

  it('moves the embedded SQLite file from this checkout to the install folder', () => {
    expect(facts()).toEqual({ driver: 'sqlite', path: '/srv/kit-db-test/data/kit-db-test.sqlite', profile: { kind: 'default' }, databaseUrl: null });
  });

  it('follows a config/live link to its profile; a plain config/live file is left to config/live', () => {
    symlinkSync('postgres.json', join(project.root, 'config/live'));
    expect(facts().profile).toEqual({ kind: 'named', name: 'postgres', file: 'config/postgres.json' });
    project.remove();
    project = tempProject();
    writeFileSync(join(project.root, 'config/live'), JSON.stringify({ url: 'sqlite:/var/lib/kdt/db.sqlite' }));
    expect(facts()).toEqual({ driver: 'sqlite', path: '/var/lib/kdt/db.sqlite', profile: { kind: 'live-file' }, databaseUrl: null });
  });
});
