import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { tempProject, type TempProject } from '@kit-db-test/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { describeConfig } from './describe-config.js';
import { findProjectRoot } from './project-root.js';
import { loadConfig } from './load-config.js';

const PASSWORD = 'S3cret-pw-never-shown';
let project: TempProject;

beforeEach(() => {
  project = tempProject();
  project.writeProfile('sqlite', { url: 'sqlite:data/other.sqlite' });
  project.writeProfile('postgres', { url: 'postgresql://kdt@/kdt?host=/var/run/postgresql' });
});
afterEach(() => project.remove());

const load = (env: NodeJS.ProcessEnv = {}, profile?: string) => loadConfig({ root: project.root, env, profile });

describe('choosing the profile', () => {
  it('uses the embedded SQLite default under data/ when nothing chooses a profile', () => {
    const config = load();
    expect(config.profile).toEqual({ name: 'default', file: undefined, selectedBy: { kind: 'default' } });
    expect(config.target).toEqual({ driver: 'sqlite', path: join(project.root, 'data/kit-db-test.sqlite') });
  });

  it('follows a config/live link to the profile it points at', () => {
    symlinkSync('postgres.json', join(project.root, 'config/live'));
    const config = load();
    expect(config.profile.name).toBe('postgres');
    expect(config.profile.selectedBy).toEqual({ kind: 'file', file: 'config/live' });
    expect(config.target.driver).toBe('postgresql');
  });

  it('reads a plain config/live file as a profile of its own', () => {
    writeFileSync(join(project.root, 'config/live'), JSON.stringify({ url: 'sqlite:/var/lib/kdt/live.sqlite' }));
    expect(load().target).toEqual({ driver: 'sqlite', path: '/var/lib/kdt/live.sqlite' });
  });

  it('lets KDT_PROFILE beat config/live, and --profile beat both', () => {
    symlinkSync('postgres.json', join(project.root, 'config/live'));
    expect(load({ KDT_PROFILE: 'sqlite' }).profile.name).toBe('sqlite');
    expect(load({ KDT_PROFILE: 'sqlite' }, 'postgres').profile).toMatchObject({ name: 'postgres', selectedBy: { kind: 'flag' } });
  });

  it('names the missing profile and lists the ones that exist', () => {
    expect(() => load({ KDT_PROFILE: 'prod' })).toThrow(
      new ConfigError('KDT_PROFILE: profile "prod" not found: no config/prod.json (available: postgres, sqlite)'),
    );
  });

  it('says where a dangling config/live link points', () => {
    symlinkSync('gone.json', join(project.root, 'config/live'));
    expect(() => load()).toThrow(/^config\/live: links to config\/gone\.json, which does not exist/);
  });
});

describe('validating a profile', () => {
  it('names the file, the key and what is wrong', () => {
    project.writeProfile('postgres', { url: 'postgress://kdt@/kdt' });
    expect(() => load({}, 'postgres')).toThrow(
      new ConfigError('config/postgres.json: url: expected postgresql:// or sqlite: URL, got "postgress://kdt@/kdt"'),
    );
  });

  it('rejects an unknown key instead of ignoring it', () => {
    project.writeProfile('postgres', { url: 'sqlite:x.sqlite', poolMax: 3 });
    expect(() => load({}, 'postgres')).toThrow(
      new ConfigError('config/postgres.json: poolMax: unknown key (known: description, url, passwordFile, sslrootcert, sslcert, sslkey, pool, connectTimeoutMs)'),
    );
  });

  it('reports a file that is not JSON with the line and column, never its content', () => {
    project.writeProfile('postgres', '{\n  "url": ');
    expect(() => load({}, 'postgres')).toThrow(
      new ConfigError('config/postgres.json: not valid JSON at line 2, column 10; a profile is a JSON object such as {"url": "sqlite:data/kit-db-test.sqlite"}; fix the file'),
    );
  });

  it.each([
    ['a password file', `${PASSWORD}\n`, 1, 1],
    ['a password file with a JSON-like start', `{"url": ${PASSWORD}}`, 1, 9],
    ['an environment file', `PORT=3000\nDATABASE_URL=postgresql://kdt:${PASSWORD}@/kdt\n`, 1, 1],
    ['a JSON document with a secret and a syntax error', `{"url": "sqlite:x", "note": "${PASSWORD}",\n}`, 2, 1],
  ])('config/live linked to %s: names the file, line and column and the fix, quotes nothing of it', (_what, content, line, column) => {
    project.writeFile('secret.txt', content);
    symlinkSync('../secret.txt', join(project.root, 'config/live'));
    let message = '';
    try {
      load();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      `secret.txt: not valid JSON at line ${line}, column ${column}; a profile is a JSON object such as {"url": "sqlite:data/kit-db-test.sqlite"}; fix it, or point config/live at a profile: ln -sfn postgres.json config/live`,
    );
  });

  it('refuses a config/live that is a device, before reading it', () => {
    symlinkSync('/dev/zero', join(project.root, 'config/live'));
    expect(() => load()).toThrow(new ConfigError('/dev/zero: it is a character device, not a regular file; fix it, or point config/live at a profile: ln -sfn postgres.json config/live'));
  });

  it('rejects a misspelt KDT_ variable rather than silently using the default', () => {
    expect(() => load({ KDT_PROFLE: 'postgres' })).toThrow(/^KDT_PROFLE: unknown environment variable/);
  });
});

describe('environment overrides', () => {
  it("DATABASE_URL replaces the profile's URL, and the source says so", () => {
    const config = load({ DATABASE_URL: 'postgresql://app@127.0.0.1:5433/appdb' }, 'sqlite');
    expect(config.target).toMatchObject({ driver: 'postgresql', host: '127.0.0.1', port: 5433, database: 'appdb' });
    expect(config.sources.url).toEqual({ kind: 'env', name: 'DATABASE_URL' });
  });

  it('takes the password from DATABASE_PASSWORD_FILE over one in the URL, without its trailing newline', () => {
    const file = project.writeFile('db-password', `${PASSWORD}\n`);
    const config = load({ DATABASE_URL: 'postgresql://app:other@/db', DATABASE_PASSWORD_FILE: file });
    expect(config.target.driver === 'postgresql' && config.target.password?.reveal()).toBe(PASSWORD);
    expect(config.sources.password).toEqual({ kind: 'env', name: 'DATABASE_PASSWORD_FILE' });
    expect(config.warnings).toEqual([]);
  });

  it('reads a passwordFile named in the profile, relative to the project', () => {
    project.writeFile('pw', PASSWORD);
    project.writeProfile('postgres', { url: 'postgresql://kdt@/kdt', passwordFile: 'pw' });
    const config = load({}, 'postgres');
    expect(config.target.driver === 'postgresql' && config.target.password?.reveal()).toBe(PASSWORD);
  });

  it('reads sslrootcert, sslcert and sslkey from the profile, relative to the project, and checks they can be read', () => {
    mkdirSync(join(project.root, 'certs'));
    project.writeFile('certs/ca.crt', 'ca');
    project.writeFile('certs/client.crt', 'c');
    project.writeFile('certs/client.key', 'k');
    project.writeProfile('postgres', { url: 'postgresql://kdt@db.example/kdt?sslmode=verify-full', sslrootcert: 'certs/ca.crt', sslcert: 'certs/client.crt', sslkey: 'certs/client.key' });
    expect(load({}, 'postgres').target).toMatchObject({ sslrootcert: join(project.root, 'certs/ca.crt'), sslkey: join(project.root, 'certs/client.key') });
    project.writeProfile('postgres', { url: 'postgresql://kdt@db.example/kdt?sslmode=verify-full', sslrootcert: 'certs/missing.crt' });
    expect(() => load({}, 'postgres')).toThrow(
      new ConfigError(`config/postgres.json: sslrootcert: cannot read ${join(project.root, 'certs/missing.crt')} (ENOENT); give a readable file (the CA certificate that signed the server's), or system`),
    );
    project.writeProfile('postgres', { url: 'postgresql://kdt@db.example/kdt?sslmode=verify-full&sslrootcert=system', sslrootcert: 'certs/ca.crt' });
    expect(() => load({}, 'postgres')).toThrow(new ConfigError('config/postgres.json: sslrootcert: also set in the URL (url); keep one'));
    project.writeProfile('postgres', { url: 'postgresql://kdt@db.example/kdt', sslrootcert: 'certs/ca.crt' });
    expect(() => load({}, 'postgres')).toThrow(
      new ConfigError('config/postgres.json: sslrootcert/sslcert are set but sslmode is disable (the default): set sslmode=verify-full (or verify-ca, require)'),
    );
  });

  it('fails on an empty password file, naming it', () => {
    const empty = project.writeFile('empty', '');
    expect(() => load({ DATABASE_URL: 'postgresql://a@/b', DATABASE_PASSWORD_FILE: empty })).toThrow(
      new ConfigError(`DATABASE_PASSWORD_FILE: ${empty} is empty; write the password into it`),
    );
  });

  it('does not quote a DATABASE_PASSWORD_FILE or passwordFile that names no file: it may be the password itself', () => {
    expect(() => load({ DATABASE_URL: 'postgresql://a@/b', DATABASE_PASSWORD_FILE: PASSWORD })).toThrow(
      new ConfigError('DATABASE_PASSWORD_FILE: names no file (the value is not shown: it may be the password itself); set it to the path of a file holding the password'),
    );
    project.writeProfile('postgres', { url: 'postgresql://kdt@/kdt', passwordFile: `${PASSWORD}/x` });
    expect(() => load({}, 'postgres')).toThrow(/^config\/postgres\.json: passwordFile: names no file \(the value is not shown/);
  });

  it.each([
    ['a folder', () => project.root, 'is a folder, not a regular file'],
    ['a device', () => '/dev/null', 'is a character device, not a regular file'],
    ['larger than a password can be', () => project.writeFile('big', 'x'.repeat(5000)), 'is larger than 4 KiB'],
  ])('refuses a password file that is %s before reading it, with one line naming it', (_what, path, problem) => {
    const file = path();
    expect(() => load({ DATABASE_URL: 'postgresql://a@/b', DATABASE_PASSWORD_FILE: file })).toThrow(
      new ConfigError(`DATABASE_PASSWORD_FILE: ${file}: it ${problem}; point it at a regular file holding only the password`),
    );
  });

  it('refuses a password file that is not text, without quoting it', () => {
    const binary = project.writeFile('binary', `${PASSWORD}\u0000\n`);
    expect(() => load({ DATABASE_URL: 'postgresql://a@/b', DATABASE_PASSWORD_FILE: binary })).toThrow(
      new ConfigError(`DATABASE_PASSWORD_FILE: ${binary} holds a NUL byte, which no PostgreSQL password can; point it at a regular file holding only the password`),
    );
    const latin1 = join(project.root, 'latin1');
    writeFileSync(latin1, Buffer.from([0x70, 0xe4, 0x73, 0x73]));
    expect(() => load({ DATABASE_URL: 'postgresql://a@/b', DATABASE_PASSWORD_FILE: latin1 })).toThrow(
      new ConfigError(`DATABASE_PASSWORD_FILE: ${latin1} is not UTF-8 text; point it at a regular file holding only the password`),
    );
  });

  it('keeps a password with newlines, quotes and unicode from a file whole, but its one trailing newline', () => {
    const password = 'a b\n"c\'\td\r\nΩ😀 ';
    const file = project.writeFile('db-password', `${password}\n`);
    const config = load({ DATABASE_URL: 'postgresql://app@/db', DATABASE_PASSWORD_FILE: file });
    expect(config.target.driver === 'postgresql' && config.target.password?.reveal()).toBe(password);
  });

  it('warns about a world-readable password file and a password kept in a profile', () => {
    const file = project.writeFile('db-password', PASSWORD, 0o644);
    expect(load({ DATABASE_URL: 'postgresql://a@/b', DATABASE_PASSWORD_FILE: file }).warnings).toEqual([
      `DATABASE_PASSWORD_FILE: ${file} is readable by every user; chmod 600 it (or 640 with the service's group)`,
    ]);
    project.writeProfile('postgres', { url: `postgresql://kdt:${PASSWORD}@/kdt` });
    expect(load({}, 'postgres').warnings[0]).toMatch(/^config\/postgres\.json: url holds a password; move it/);
  });
});

describe('describeConfig', () => {
  it('lists each setting with its source, password masked everywhere', () => {
    const file = project.writeFile('db-password', PASSWORD);
    const config = load({ DATABASE_PASSWORD_FILE: file }, 'postgres');
    const description = describeConfig(config);
    expect(description.target).toBe('postgresql://kdt:********@/kdt?host=/var/run/postgresql');
    expect(description.settings).toContainEqual({ key: 'password', value: '********', source: 'environment DATABASE_PASSWORD_FILE' });
    expect(description.settings).toContainEqual({ key: 'socket directory', value: '/var/run/postgresql', source: 'file config/postgres.json' });
    expect(description.settings).toContainEqual({ key: 'pool.max', value: '10', source: 'default' });
    for (const text of [JSON.stringify(description), JSON.stringify(config), inspect(config, { depth: 10 })]) {
      expect(text).not.toContain(PASSWORD);
    }
  });
});

describe('the shipped profiles', () => {
  const root = findProjectRoot()!;

  it.each(['sqlite', 'postgres'])('config/%s.json is valid and holds no password', (name) => {
    const config = loadConfig({ root, env: {}, profile: name });
    expect(config.target.driver).toBe(name === 'sqlite' ? 'sqlite' : 'postgresql');
    expect(config.sources.password).toBeUndefined();
  });

  it('the postgres example uses the unix socket, like production', () => {
    expect(loadConfig({ root, env: {}, profile: 'postgres' }).target).toMatchObject({ socket: true });
  });
});
