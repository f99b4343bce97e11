import { hostilePasswords } from '@kit-db-test/testing';
import { describe, expect, it } from 'vitest';
import { maskDatabaseUrl, maskUrlPasswords } from './mask-url.js';

const samples = hostilePasswords();
const ways = samples.flatMap((s) => [
  { ...s, how: 'as written', text: s.password },
  { ...s, how: 'percent-encoded', text: encodeURIComponent(s.password) },
]);

describe('maskDatabaseUrl', () => {
  it.each(ways)('hides a password with $label, $how, up to the last "@"', ({ text }) => {
    expect(maskDatabaseUrl(`postgresql://kdt:${text}@/kdt?host=/tmp`)).toBe('postgresql://kdt:********@/kdt?host=/tmp');
    expect(maskDatabaseUrl(`postgress://kdt:${text}@db.example:5433/kdt`)).toBe('postgress://kdt:********@db.example:5433/kdt');
  });

  it('masks the whole userinfo when its user name is not a plain one', () => {
    expect(maskDatabaseUrl('postgresql://kdt p@ss@/kdt')).toBe('postgresql://********@/kdt');
    expect(maskDatabaseUrl('postgresql://kdt@ss:w/rd@/kdt')).toBe('postgresql://********@/kdt');
  });

  it('hides what follows a ":" when the "@" is missing, unless it is a port', () => {
    expect(maskDatabaseUrl('postgresql://kdt:hunter2/kdt')).toBe('postgresql://kdt:********/kdt');
    expect(maskDatabaseUrl('postgresql://kdt:hunter2')).toBe('postgresql://kdt:********');
    expect(maskDatabaseUrl('postgresql://db.example:5433/kdt')).toBe('postgresql://db.example:5433/kdt');
  });

  it('leaves a URL without password alone', () => {
    expect(maskDatabaseUrl('postgresql://kdt@/kdt?host=/var/run/postgresql')).toBe('postgresql://kdt@/kdt?host=/var/run/postgresql');
    expect(maskDatabaseUrl('sqlite:data/kit-db-test.sqlite')).toBe('sqlite:data/kit-db-test.sqlite');
  });
});

describe('maskUrlPasswords', () => {
  it('masks the password of every URL in a text, and leaves URLs without one alone', () => {
    expect(maskUrlPasswords('a postgresql://u:p%40ss@h/db b postgresql://v@/db')).toBe('a postgresql://u:********@h/db b postgresql://v@/db');
  });

  it.each(ways)('masks a password with $label, $how, inside a message', ({ text }) => {
    expect(maskUrlPasswords(`connecting to "postgresql://kdt:${text}@/kdt?host=/tmp" failed`)).toBe(
      'connecting to "postgresql://kdt:********@/kdt?host=/tmp" failed',
    );
  });
});
