import { describe, expect, it } from 'vitest';
import { serverVerdict } from './server-verdict.js';

describe('serverVerdict', () => {
  it('reads accepted logins, including PG18 trust and PG15 trust without a line', () => {
    expect(serverVerdict('LOG:  connection received: host=127.0.0.1 port=1\nLOG:  connection authenticated: identity="kdt" method=scram-sha-256 (/d/pg_hba.conf:3)')).toEqual({
      host: '127.0.0.1',
      verdict: { kind: 'matched', method: 'scram-sha-256', file: '/d/pg_hba.conf', line: 3 },
    });
    expect(serverVerdict('LOG:  connection authenticated: user="kdt" method=trust (/d/pg_hba.conf:1)')?.verdict).toMatchObject({ method: 'trust', line: 1 });
    expect(serverVerdict('LOG:  connection authorized: user=kdt database=kdt')?.verdict).toEqual({ kind: 'matched', method: 'trust', line: null, file: null });
  });

  it('reads refused logins on PostgreSQL 15 and 16+', () => {
    expect(serverVerdict('FATAL:  password authentication failed for user "k"\nDETAIL:  Connection matched pg_hba.conf line 4: "x"')?.verdict).toEqual({
      kind: 'matched',
      line: 4,
      file: null,
      method: null,
      failed: 'password',
    });
    expect(serverVerdict('FATAL:  Peer authentication failed for user "k"\nDETAIL:  Connection matched file "/d/pg_hba.conf" line 2: "x"')?.verdict).toMatchObject({ line: 2, file: '/d/pg_hba.conf', failed: 'peer' });
    expect(serverVerdict('FATAL:  pg_hba.conf rejects connection for host "[local]"')?.verdict).toEqual({ kind: 'reject' });
    expect(serverVerdict('FATAL:  no pg_hba.conf entry for host "::1"')?.verdict).toEqual({ kind: 'no-entry' });
    expect(serverVerdict('LOG:  connection received: host=[local]')).toBeUndefined();
  });
});
