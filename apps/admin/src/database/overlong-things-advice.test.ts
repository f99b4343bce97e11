import { loadConfig } from '@kit-db-test/schema';
import { describe, expect, it } from 'vitest';
import { overlongAdvice, shellWord } from './overlong-things-advice.js';

describe('shellWord', () => {
  it('leaves plain paths and URLs bare, and single-quotes the rest so that a shell gives them back unchanged', () => {
    expect(shellWord('/srv/kit-db-test/data/kit-db-test.sqlite')).toBe('/srv/kit-db-test/data/kit-db-test.sqlite');
    expect(shellWord("/srv/it's here/x.sqlite")).toBe(`'/srv/it'\\''s here/x.sqlite'`);
    expect(shellWord('postgresql://kdt@/kdt?host=/var/run/postgresql&port=5433')).toBe(`'postgresql://kdt@/kdt?host=/var/run/postgresql&port=5433'`);
  });
});

describe('overlongAdvice', () => {
  it('names the first rows and how many more, and never the password of the URL', () => {
    const config = loadConfig({ root: '/srv/kit-db-test', env: { DATABASE_URL: 'postgresql://kdt:s3cret@db.example:5432/kdt' } });
    const advice = overlongAdvice({ count: 7, rows: [1, 2, 3, 4, 5].map((id) => ({ id, length: 4001 + id })) }, config);
    expect(advice.lines[0]).toBe(
      '7 row(s) have things longer than 4000 characters, the limit the SQL above adds: #1 (4002), #2 (4003), #3 (4004), #4 (4005), #5 (4006), and 2 more.',
    );
    expect(advice.lines[3]).toBe(
      "  2. cut them to their first 4000 characters: psql postgresql://kdt@db.example:5432/kdt -c 'update stuff set things = substr(things, 1, 4000) where length(things) > 4000'",
    );
    expect(advice.lines.join('\n')).not.toContain('s3cret');
  });
});
