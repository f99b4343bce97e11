import { describe, expect, it } from 'vitest';
import { lastConfigLoad, lastRefusal, parseLogEntries } from './server-log.js';

// Recorded from real servers (Debian's PostgreSQL 15.18 and the npm registry's 18.4) with
// log_connections on and the default log_line_prefix '%m [%p] '.
const PG15 = `2026-11-25 12:39:48.387 UTC [28171] FATAL:  password authentication failed for user "kdt_app"
2026-11-25 12:39:48.387 UTC [28171] DETAIL:  Connection matched pg_hba.conf line 3: "host all all 127.0.0.1/32 scram-sha-256"
2026-11-25 12:39:48.393 UTC [28176] FATAL:  password authentication failed for user "ghost"
2026-11-25 12:39:48.393 UTC [28176] DETAIL:  Role "ghost" does not exist.
	Connection matched pg_hba.conf line 3: "host all all 127.0.0.1/32 scram-sha-256"
2026-11-25 12:39:48.395 UTC [28177] FATAL:  Peer authentication failed for user "kdt_app"
2026-11-25 12:39:48.395 UTC [28177] DETAIL:  Connection matched pg_hba.conf line 1: "local all all peer"
`;
const PG18 = `2026-11-25 12:39:49.283 UTC [28195] FATAL:  password authentication failed for user "ghost"
2026-11-25 12:39:49.283 UTC [28195] DETAIL:  Role "ghost" does not exist.
	Connection matched file "/var/lib/pgsql/18/data/pg_hba.conf" line 3: "host all all 127.0.0.1/32 scram-sha-256"
2026-11-25 12:39:49.284 UTC [28196] LOG:  connection received: host=[local]
`;
// Debian's log_line_prefix '%m [%p] %q%u@%d ': an expired password, another backend's lines in between.
const DEBIAN = `2026-12-01 23:30:01.101 UTC [4100] LOG:  connection received: host=[local]
2026-12-01 23:30:01.102 UTC [4101] LOG:  connection received: host=127.0.0.1 port=50122
2026-12-01 23:30:01.104 UTC [4100] kdt_app@kdt_app FATAL:  password authentication failed for user "kdt_app"
2026-12-01 23:30:01.104 UTC [4101] kdt_app@kdt_app LOG:  connection authorized: user=kdt_app database=kdt_app application_name=psql
2026-12-01 23:30:01.104 UTC [4100] kdt_app@kdt_app DETAIL:  User "kdt_app" has an expired password.
	Connection matched file "/etc/postgresql/16/main/pg_hba.conf" line 7: "local all all scram-sha-256"
`;
// A refusal that quotes the database, not the role; RHEL's older prefix '< %m >' has no process id.
const NOT_QUOTING_ROLE = `2026-12-01 23:31:00.500 UTC [4200] kdt_app@kdt_app FATAL:  database "kdt_app" is not currently accepting connections
`;

describe('lastRefusal', () => {
  it('finds the latest refusal of the user, with its DETAIL and the pg_hba.conf line (PostgreSQL 15)', () => {
    expect(lastRefusal(PG15, 'kdt_app')).toEqual({
      timestamp: '2026-11-25 12:39:48.395 UTC',
      pid: '28177',
      fatal: 'Peer authentication failed for user "kdt_app"',
      details: [],
      hints: [],
      context: [],
      hbaLine: { file: null, line: 1, text: 'local all all peer' },
    });
  });

  it('reads a DETAIL continued on the next line, and PostgreSQL 16+\'s "matched file … line N"', () => {
    expect(lastRefusal(PG18, 'ghost')).toMatchObject({
      timestamp: '2026-11-25 12:39:49.283 UTC',
      details: ['Role "ghost" does not exist.'],
      hbaLine: { file: '/var/lib/pgsql/18/data/pg_hba.conf', line: 3, text: 'host all all 127.0.0.1/32 scram-sha-256' },
    });
  });

  it('reads the whole account of the attempt\'s process under Debian\'s prefix, past another backend\'s lines', () => {
    expect(lastRefusal(DEBIAN, 'kdt_app')).toEqual({
      timestamp: '2026-12-01 23:30:01.104 UTC',
      pid: '4100',
      fatal: 'password authentication failed for user "kdt_app"',
      details: ['User "kdt_app" has an expired password.'],
      hints: [],
      context: ['LOG: connection received: host=[local]'],
      hbaLine: { file: '/etc/postgresql/16/main/pg_hba.conf', line: 7, text: 'local all all scram-sha-256' },
    });
  });

  it('matches a FATAL by the prefix\'s user, or by position after the attempt began, not only by a quoted role', () => {
    expect(lastRefusal(NOT_QUOTING_ROLE, 'kdt_app')?.fatal).toBe('database "kdt_app" is not currently accepting connections');
    const rhel = '< 2026-12-01 23:31:00.500 UTC > FATAL:  database "kdt" is not currently accepting connections\n';
    expect(lastRefusal(rhel, 'kdt_app')).toBeNull();
    expect(lastRefusal(rhel, 'kdt_app', { sinceAttempt: true })).toMatchObject({ pid: null, timestamp: '2026-12-01 23:31:00.500 UTC' });
  });

  it('returns null when the user was never refused', () => {
    expect(lastRefusal(PG15, 'someone')).toBeNull();
  });
});

describe('parseLogEntries', () => {
  it('reads the time, process and user of the prefixes distributions use', () => {
    const lines = [
      '2026-12-01 23:30:01.104 UTC [4100] kdt_app@kdt_app FATAL:  x', // Debian '%m [%p] %q%u@%d '
      '2026-12-01 23:30:01 CET [4101] LOG:  y', // '%t [%p] '
      '2026-12-01 23:30:01.104 +01 [4102-1] LOG:  z', // '%m [%p-%l] ' with a numeric zone
    ].join('\n');
    expect(parseLogEntries(lines).map(({ timestamp, pid, user }) => [timestamp, pid, user])).toEqual([
      ['2026-12-01 23:30:01.104 UTC', '4100', 'kdt_app'],
      ['2026-12-01 23:30:01 CET', '4101', null],
      ['2026-12-01 23:30:01.104 +01', '4102', null],
    ]);
  });
});

describe('lastConfigLoad', () => {
  it('is the time of the last reload or start the log tells, or null', () => {
    const log = [
      '2026-12-01 22:00:00.000 UTC [100] LOG:  database system is ready to accept connections',
      '2026-12-01 23:00:00.250 UTC [100] LOG:  received SIGHUP, reloading configuration files',
      '2026-12-01 23:10:00.000 UTC [200] FATAL:  password authentication failed for user "kdt_app"',
    ].join('\n');
    expect(lastConfigLoad(log)?.toISOString()).toBe('2026-12-01T23:00:00.250Z');
    expect(lastConfigLoad(PG15)).toBeNull();
  });
});
