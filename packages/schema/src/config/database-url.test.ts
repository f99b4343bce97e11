import { hostilePasswords } from '@kit-db-test/testing';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { displayTarget, parseDatabaseUrl } from './database-url.js';

const root = '/srv/kit-db-test';
const parse = (url: string) => parseDatabaseUrl(url, 'config/postgres.json: url', root);

describe('parseDatabaseUrl: PostgreSQL', () => {
  it('reads the unix-socket form that production uses', () => {
    expect(parse('postgresql://kdt@/kdt?host=/var/run/postgresql')).toEqual({
      driver: 'postgresql',
      host: '/var/run/postgresql',
      socket: true,
      port: 5432,
      user: 'kdt',
      database: 'kdt',
      password: undefined,
      sslmode: 'disable',
    });
  });

  it('defaults like libpq: no host means the socket in /var/run/postgresql, no database means the user name', () => {
    const target = parse('postgres://app@');
    expect(target).toMatchObject({ host: '/var/run/postgresql', socket: true, database: 'app', port: 5432 });
  });

  it('reads host, port, database, sslmode and a percent-encoded password over TCP', () => {
    const target = parse('postgresql://app:p%40ss%3Aw0rd@db.example:6543/stuffdb?sslmode=require');
    expect(target).toMatchObject({ host: 'db.example', socket: false, port: 6543, user: 'app', database: 'stuffdb', sslmode: 'require' });
    expect(target.driver === 'postgresql' && target.password?.reveal()).toBe('p@ss:w0rd');
  });

  it('reads libpq\'s certificate keys: paths relative to the project root, sslrootcert=system kept as is', () => {
    expect(parse('postgresql://kdt@db/kdt?sslmode=verify-full&sslrootcert=certs/ca.crt&sslcert=/etc/kdt/client.crt&sslkey=certs/client.key')).toMatchObject({
      sslmode: 'verify-full',
      sslrootcert: '/srv/kit-db-test/certs/ca.crt',
      sslcert: '/etc/kdt/client.crt',
      sslkey: '/srv/kit-db-test/certs/client.key',
    });
    expect(parse('postgresql://kdt@db/kdt?sslmode=verify-full&sslrootcert=system')).toMatchObject({ sslrootcert: 'system' });
    expect(displayTarget(parse('postgresql://kdt@db/kdt?sslmode=verify-ca&sslrootcert=/ca.crt'))).toBe('postgresql://kdt@db:5432/kdt?sslmode=verify-ca&sslrootcert=%2Fca.crt');
  });

  it('reads a bracketed IPv6 address', () => {
    expect(parse('postgresql://app@[::1]:5433/db')).toMatchObject({ host: '::1', port: 5433, socket: false });
  });

  it('names file, key and the bad value for a misspelt scheme, with the password masked', () => {
    expect(() => parse('postgress://kdt:hunter2@/kdt')).toThrow(
      new ConfigError('config/postgres.json: url: expected postgresql:// or sqlite: URL, got "postgress://kdt:********@/kdt"'),
    );
  });

  it.each([
    ['postgresql:///kdt', 'config/postgres.json: url: no user name in "postgresql:///kdt"; e.g. postgresql://kdt@/kdt?host=/var/run/postgresql'],
    ['postgresql://kdt@/kdt?hots=/tmp', 'config/postgres.json: url: unknown URL parameter "hots" (known: host, port, sslmode, sslrootcert, sslcert, sslkey)'],
    ['postgresql://kdt@localhost:99999/kdt', 'config/postgres.json: url: port must be 1-65535, got "99999"'],
    ['postgresql://kdt@/kdt?sslmode=prefer', 'config/postgres.json: url: sslmode must be one of disable, require, verify-ca, verify-full, got "prefer"'],
    ['sqlite:', 'config/postgres.json: url: expected a file path after sqlite:, got "sqlite:"'],
    ['postgresql://kdt@db/kdt?sslmode=verify-full&sslcert=client.crt', 'config/postgres.json: url: sslcert and sslkey go together: give both, the client certificate and its key'],
    ['postgresql://kdt@db/kdt?sslmode=verify-full&sslrootcert=', 'config/postgres.json: url: sslrootcert is empty: give a file path, or system'],
  ])('rejects %s with one line saying what is wrong', (url, message) => {
    expect(() => parse(url)).toThrow(new ConfigError(message));
  });
});

describe('parseDatabaseUrl: passwords with URL-special characters', () => {
  const samples = hostilePasswords();
  const attempt = (url: string): { target?: ReturnType<typeof parse>; error?: unknown } => {
    try {
      return { target: parse(url) };
    } catch (error) {
      return { error };
    }
  };

  it.each(samples)('reads a percent-encoded password with $label intact', ({ password }) => {
    const target = parse(`postgresql://kdt:${encodeURIComponent(password)}@db.example:5433/kdt?sslmode=require`);
    expect(target).toMatchObject({ host: 'db.example', port: 5433, user: 'kdt', database: 'kdt', sslmode: 'require' });
    expect(target.driver === 'postgresql' && target.password?.reveal()).toBe(password);
    expect(displayTarget(target)).toBe('postgresql://kdt:********@db.example:5433/kdt?sslmode=require');
  });

  it.each(samples)('a password with $label written unencoded: nothing of it in the error or in another field', ({ password, fragments }) => {
    const { target, error } = attempt(`postgresql://kdt:${password}@/kdt?host=/run/postgresql&port=5433`);
    if (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toMatch(/^config\/postgres\.json: url: the user name or password holds characters a URL cannot carry as they are; percent-encode them \(@ as %40, : as %3A, \/ as %2F, \? as %3F, # as %23, % as %25, a blank as %20\)/);
      expect(message).not.toContain('\n');
      for (const f of fragments) expect(message).not.toContain(f);
    } else {
      // Only a password without URL delimiters gets through, and then whole, in the password alone.
      expect(target).toMatchObject({ host: '/run/postgresql', port: 5433, user: 'kdt', database: 'kdt' });
      expect(target!.driver === 'postgresql' && target!.password?.reveal()).toBe(decodeURIComponent(password));
    }
  });

  it('refuses the delimiters of the reported passwords unencoded, and names the fix', () => {
    for (const password of ['p@ss:w/rd#%', 'a b%zz', 'x?y']) {
      expect(() => parse(`postgresql://kdt:${password}@/kdt`)).toThrow(/percent-encode them/);
    }
  });

  it('quotes no non-numeric port: without the "@" it may be the password', () => {
    expect(() => parse('postgresql://kdt:hunter2/kdt')).toThrow(
      new ConfigError('config/postgres.json: url: no user name in "postgresql://kdt:********/kdt"; e.g. postgresql://kdt@/kdt?host=/var/run/postgresql'),
    );
  });

  it('says percent-encoded bytes that are not UTF-8 without quoting them', () => {
    expect(() => parse('postgresql://kdt:hunter%ff2@/kdt')).toThrow(/^config\/postgres\.json: url: the password is percent-encoded, but its bytes are not UTF-8; percent-encode them/);
  });
});

describe('parseDatabaseUrl: SQLite', () => {
  it('resolves a relative path against the project root', () => {
    expect(parse('sqlite:data/kit-db-test.sqlite')).toEqual({ driver: 'sqlite', path: '/srv/kit-db-test/data/kit-db-test.sqlite' });
  });

  it('keeps an absolute path, in both spellings', () => {
    expect(parse('sqlite:/var/lib/kdt/db.sqlite')).toEqual({ driver: 'sqlite', path: '/var/lib/kdt/db.sqlite' });
    expect(parse('sqlite:///var/lib/kdt/db.sqlite')).toEqual({ driver: 'sqlite', path: '/var/lib/kdt/db.sqlite' });
  });
});

describe('displayTarget', () => {
  it('shows a socket target as a URL with the password masked', () => {
    const target = parse('postgresql://kdt:hunter2@/kdt?host=/run/postgresql&port=5433');
    expect(displayTarget(target)).toBe('postgresql://kdt:********@/kdt?host=/run/postgresql&port=5433');
  });

  it('shows a TCP target with host, port and sslmode', () => {
    expect(displayTarget(parse('postgresql://kdt@127.0.0.1/kdt?sslmode=verify-full'))).toBe(
      'postgresql://kdt@127.0.0.1:5432/kdt?sslmode=verify-full',
    );
  });
});
