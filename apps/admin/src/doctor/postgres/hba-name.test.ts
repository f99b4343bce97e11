import { describe, expect, it } from 'vitest';
import { parseHba } from '../../hba/index.js';
import { hbaName } from './hba-name.js';

describe('hbaName', () => {
  it('leaves a plain name as it is and quotes what pg_hba.conf would read otherwise', () => {
    expect(['kdt_app', 'Kdt', 'all', 'sameuser', 'samerole', 'replication', '+admins', '@list', '/re', 'a b', 'a,b', 'say "hi"', '#x'].map(hbaName)).toEqual([
      'kdt_app', 'Kdt', '"all"', '"sameuser"', '"samerole"', '"replication"', '"+admins"', '"@list"', '"/re"', '"a b"', '"a,b"', '"say ""hi"""', '"#x"',
    ]);
  });

  it('gives a token the parser reads back as that one name, quoted', () => {
    for (const name of ['all', '+Kdt App, 2', 'say "hi"']) {
      const parsed = parseHba(`local ${hbaName(name)} ${hbaName(name)} scram-sha-256\n`, { file: 'pg_hba.conf', serverMajor: 16 });
      expect(parsed.rules[0]!.databases).toEqual([expect.objectContaining({ text: name, quoted: true })]);
      expect(parsed.rules[0]!.users).toEqual([expect.objectContaining({ text: name, quoted: true })]);
    }
  });
});
