import { describe, expect, it } from 'vitest';
import { lastRefusal } from './server-log.js';

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

describe('lastRefusal', () => {
  it('finds the latest refusal of the user, with its DETAIL and the pg_hba.conf line (PostgreSQL 15)', () => {
    expect(lastRefusal(PG15, 'kdt_app')).toEqual({
      timestamp: '2026-11-25 12:39:48.395 UTC',
      fatal: 'Peer authentication failed for user "kdt_app"',
      details: [],
      hbaLine: { file: null, line: 1, text: 'local all all peer' },
    });
  });

  it('reads a DETAIL continued on the next line, and PostgreSQL 16+\'s "matched file … line N"', () => {
    expect(lastRefusal(PG18, 'ghost')).toEqual({
      timestamp: '2026-11-25 12:39:49.283 UTC',
      fatal: 'password authentication failed for user "ghost"',
      details: ['Role "ghost" does not exist.'],
      hbaLine: { file: '/var/lib/pgsql/18/data/pg_hba.conf', line: 3, text: 'host all all 127.0.0.1/32 scram-sha-256' },
    });
  });

  it('returns null when the user was never refused', () => {
    expect(lastRefusal(PG15, 'someone')).toBeNull();
  });
});
