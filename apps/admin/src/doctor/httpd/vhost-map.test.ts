import { describe, expect, it } from 'vitest';
import { chooseVhost, parseVhostDump } from './vhost-map.js';

// apache2 -S (Debian's 2.4) for: 000-default.conf with no ServerName on *:18555, the site named
// like the main server with aliases on *:18555, one host on *:18556 and one on 127.0.0.1:18556.
const DUMP = `VirtualHost configuration:
127.0.0.1:18556        ip.example (/srv/httpd/sites/kit-db-test.conf:8)
*:18555                is a NameVirtualHost
         default server 127.0.0.1 (/srv/httpd/sites/000-default.conf:1)
         port 18555 namevhost 127.0.0.1 (/srv/httpd/sites/000-default.conf:1)
         port 18555 namevhost 127.0.0.1 (/srv/httpd/sites/kit-db-test.conf:1)
                 alias foo.example
                 wild alias *.bar.example
*:18556                other.example (/srv/httpd/sites/kit-db-test.conf:5)
ServerRoot: "/srv/httpd"
Main DocumentRoot: "/var/www/html"
Define: DUMP_VHOSTS
`;

describe('parseVhostDump', () => {
  it("reads every address, its virtual hosts in httpd's order, their names, aliases, files and lines", () => {
    expect(parseVhostDump(DUMP)).toEqual([
      { address: '127.0.0.1', port: 18556, vhosts: [{ name: 'ip.example', aliases: [], file: '/srv/httpd/sites/kit-db-test.conf', line: 8 }] },
      {
        address: '*',
        port: 18555,
        vhosts: [
          { name: '127.0.0.1', aliases: [], file: '/srv/httpd/sites/000-default.conf', line: 1 },
          { name: '127.0.0.1', aliases: ['foo.example', '*.bar.example'], file: '/srv/httpd/sites/kit-db-test.conf', line: 1 },
        ],
      },
      { address: '*', port: 18556, vhosts: [{ name: 'other.example', aliases: [], file: '/srv/httpd/sites/kit-db-test.conf', line: 5 }] },
    ]);
    expect(parseVhostDump('Syntax error on line 3')).toBeNull();
  });
});

describe('chooseVhost, as httpd picks', () => {
  const sets = parseVhostDump(DUMP)!;
  const pick = (host: string, port: number, addresses = ['127.0.0.1']) => {
    const c = chooseVhost(sets, { host, port, addresses });
    return c.kind === 'vhost' ? [`${c.vhost.file.split('/').pop()}:${c.vhost.line}`, c.reason, c.matched] : [c.kind];
  };
  it('two hosts of one name: the first in order', () => expect(pick('127.0.0.1', 18555)).toEqual(['000-default.conf:1', 'name', '127.0.0.1']));
  it('an alias, and a wildcard alias', () => {
    expect(pick('FOO.example', 18555)).toEqual(['kit-db-test.conf:1', 'alias', 'foo.example']);
    expect(pick('a.bar.example', 18555)).toEqual(['kit-db-test.conf:1', 'alias', '*.bar.example']);
  });
  it('no name matches: the default server, the first listed', () => expect(pick('nobody.example', 18555)).toEqual(['000-default.conf:1', 'default', null]));
  it('the exact address wins over *: whatever the name', () => {
    expect(pick('other.example', 18556)).toEqual(['kit-db-test.conf:8', 'only', null]);
    expect(pick('other.example', 18556, ['10.0.0.5'])).toEqual(['kit-db-test.conf:5', 'only', null]);
  });
  it('a port with no virtual host: the main server', () => expect(pick('x', 80)).toEqual(['main-server']));
});
