import { describe, expect, it } from 'vitest';
import { judgePrivacy, type DatabasePath } from './private-files.js';

const nobody = { name: 'nobody', uid: 65534, gid: 65534, groups: [65534] };
const path = (p: string, uid: number, gid: number, mode: number): DatabasePath => ({ path: p, stat: { uid, gid, mode }, owner: `${uid}:${gid}` });

describe('judgePrivacy', () => {
  it('a path the service user reaches only through the bits for other users is given to it before they are removed', () => {
    const outcome = judgePrivacy([path('/srv/data', 65534, 65534, 0o40755), path('/srv/data/db.sqlite', 0, 0, 0o100666)], nobody);
    expect(outcome.status).toBe('warn');
    // chmod alone would lock the site out of its own file.
    expect(outcome.fix).toEqual(['chown nobody /srv/data/db.sqlite && chmod o-rwx /srv/data /srv/data/db.sqlite']);
  });

  it('passes when no path grants anything to other users, whatever owner and group may do', () => {
    expect(judgePrivacy([path('/srv/data', 65534, 0, 0o40770), path('/srv/data/db.sqlite', 65534, 0, 0o100660)], nobody).status).toBe('pass');
  });
});
