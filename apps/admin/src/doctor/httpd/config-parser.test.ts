import { describe, expect, it } from 'vitest';
import { expandInclude, fnmatch, hiddenBy, logicalLines, parseConfig, splitArgs, substitute } from './config-parser.js';
import { memoryReader } from './memory-reader.js';

describe('logicalLines', () => {
  it('drops comments and blanks, joins backslash continuations, keeps the first line number', () => {
    const text = '# a comment\n\n  ServerRoot "/etc/httpd"   \nProxyPass /a \\\n     http://127.0.0.1:3000/a \\\n   retry=0\n   # indented comment\nLogLevel warn # not a comment\n';
    expect(logicalLines(text)).toEqual([
      { line: 3, text: 'ServerRoot "/etc/httpd"' },
      { line: 4, text: 'ProxyPass /a http://127.0.0.1:3000/a retry=0' },
      { line: 8, text: 'LogLevel warn # not a comment' },
    ]);
  });
});

describe('splitArgs', () => {
  it('groups double- and single-quoted arguments and unescapes the quote', () => {
    expect(splitArgs(`set X-Forwarded-Proto "https"  'a b' "say \\"hi\\"" plain`)).toEqual(['set', 'X-Forwarded-Proto', 'https', 'a b', 'say "hi"', 'plain']);
    expect(splitArgs('"" x')).toEqual(['', 'x']);
  });
});

describe('substitute', () => {
  it('replaces ${VAR} and leaves unknown ones as written (as httpd does after warning AH00111)', () => {
    expect(substitute('${APACHE_LOG_DIR}/error.log ${NOPE}', { APACHE_LOG_DIR: '/var/log/apache2' })).toBe('/var/log/apache2/error.log ${NOPE}');
  });
});

describe('fnmatch', () => {
  it('matches one path component, never a leading dot', () => {
    expect(fnmatch('*.conf', 'ssl.conf')).toBe(true);
    expect(fnmatch('*.conf', 'ssl.conf.rpmsave')).toBe(false);
    expect(fnmatch('*.conf', '.hidden.conf')).toBe(false);
    expect(fnmatch('0?-*.conf', '00-proxy.conf')).toBe(true);
    expect(fnmatch('[0-9]*.load', '1x.load')).toBe(true);
    expect(fnmatch('[!0-9]*.load', '1x.load')).toBe(false);
  });
});

describe('expandInclude', () => {
  const reader = memoryReader({
    '/etc/httpd/conf.d/b.conf': '',
    '/etc/httpd/conf.d/a.conf': '',
    '/etc/httpd/conf.d/README': '',
    '/etc/httpd/extra/x/one.conf': '',
    '/etc/httpd/extra/two.conf': '',
    '/etc/httpd/sites/s1/site.conf': '',
    '/etc/httpd/sites/s2/site.conf': '',
  });
  it('expands a wildcard, sorted', () => {
    expect(expandInclude('/etc/httpd/conf.d/*.conf', reader)).toEqual(['/etc/httpd/conf.d/a.conf', '/etc/httpd/conf.d/b.conf']);
  });
  it('reads a folder and its sub-folders', () => {
    expect(expandInclude('/etc/httpd/extra', reader)).toEqual(['/etc/httpd/extra/two.conf', '/etc/httpd/extra/x/one.conf']);
  });
  it('expands a wildcard in a folder component', () => {
    expect(expandInclude('/etc/httpd/sites/*/site.conf', reader)).toEqual(['/etc/httpd/sites/s1/site.conf', '/etc/httpd/sites/s2/site.conf']);
  });
  it('returns nothing for a wildcard that matches nothing', () => {
    expect(expandInclude('/etc/httpd/none/*.conf', reader)).toEqual([]);
  });
});

describe('parseConfig', () => {
  const files = {
    '/etc/httpd/conf/httpd.conf': [
      'ServerRoot "/etc/httpd"',
      'Define SITE_PORT 3000',
      'Include conf.modules.d/*.conf',
      '<IfModule mod_proxy.c>',
      '  ProxyTimeout 30',
      '</IfModule>',
      'IncludeOptional conf.d/*.conf',
      'IncludeOptional missing.d/*.conf',
      'Include optional-not.conf',
    ].join('\n'),
    '/etc/httpd/conf.modules.d/00-proxy.conf': 'LoadModule proxy_module modules/mod_proxy.so\nloadmodule proxy_http_module modules/mod_proxy_http.so\n',
    '/etc/httpd/conf.d/kdt.conf': [
      '<VirtualHost *:443>',
      '    ServerName example.org',
      '    <Location "/kit-db-test">',
      '        PROXYPASS "http://127.0.0.1:${SITE_PORT}/kit-db-test" retry=0',
      '    </Location>',
      '</VirtualHost>',
      '<VirtualHost *:80>',
    ].join('\n'),
  };
  const config = parseConfig('conf/httpd.conf', memoryReader(files), { serverRoot: '/etc/httpd' });

  it('follows Include and IncludeOptional relative to ServerRoot, in httpd\'s order', () => {
    expect(config.files).toEqual(['/etc/httpd/conf/httpd.conf', '/etc/httpd/conf.modules.d/00-proxy.conf', '/etc/httpd/conf.d/kdt.conf']);
    expect(config.directives.filter((d) => d.key === 'loadmodule').map((d) => d.args[0])).toEqual(['proxy_module', 'proxy_http_module']);
  });

  it('knows each directive\'s file, line, enclosing sections, and Define\'d variables', () => {
    const proxyPass = config.directives.find((d) => d.key === 'proxypass')!;
    expect(proxyPass).toMatchObject({ name: 'PROXYPASS', file: '/etc/httpd/conf.d/kdt.conf', line: 4, args: ['http://127.0.0.1:3000/kit-db-test', 'retry=0'] });
    expect(proxyPass.sections.map((s) => [s.name, s.args, s.line])).toEqual([
      ['virtualhost', ['*:443'], 1],
      ['location', ['/kit-db-test'], 3],
    ]);
  });

  it('reports a missing Include and an unclosed section, but not a missing IncludeOptional', () => {
    expect(config.problems.map((p) => p.message)).toEqual(['<virtualhost> is not closed in /etc/httpd/conf.d/kdt.conf', 'cannot read /etc/httpd/optional-not.conf (ENOENT)']);
  });

  it('hiddenBy: an <IfModule> whose module is not loaded hides what it holds (mod_x.c or x_module, and !)', () => {
    const timeout = config.directives.find((d) => d.key === 'proxytimeout')!;
    expect(hiddenBy(timeout, new Set(['proxy_module']))).toBeUndefined();
    expect(hiddenBy(timeout, new Set())?.args).toEqual(['mod_proxy.c']);
    const negated = parseConfig('/c.conf', memoryReader({ '/c.conf': '<IfModule !headers_module>\nX y\n</IfModule>' }), { serverRoot: '/' }).directives[0]!;
    expect(hiddenBy(negated, new Set(['headers_module']))).toBeDefined();
    expect(hiddenBy(negated, new Set())).toBeUndefined();
  });

  it('stops an include loop', () => {
    const looped = parseConfig('/a.conf', memoryReader({ '/a.conf': 'Include /a.conf' }), { serverRoot: '/' });
    expect(looped.problems.some((p) => p.message.includes('a loop?'))).toBe(true);
  });

  it('substitutes the variables it is given (Debian\'s envvars)', () => {
    const debian = parseConfig('/etc/apache2/apache2.conf', memoryReader({ '/etc/apache2/apache2.conf': 'ErrorLog ${APACHE_LOG_DIR}/error.log' }), {
      serverRoot: '/etc/apache2',
      variables: { APACHE_LOG_DIR: '/var/log/apache2' },
    });
    expect(debian.directives[0]!.args).toEqual(['/var/log/apache2/error.log']);
  });

  it("reads an <IfDefine> only when its test holds: a Define before the rendered site's default keeps its value", () => {
    const text = 'Define KDT_HTTP_PORT 18080\n<IfDefine !KDT_HTTP_PORT>\n  Define KDT_HTTP_PORT 80\n  Include /nope.conf\n</IfDefine>\n<IfDefine KDT_HTTP_PORT>\n  <VirtualHost *:${KDT_HTTP_PORT}>\n    ServerName a\n  </VirtualHost>\n</IfDefine>\n';
    const parsed = parseConfig('/c.conf', memoryReader({ '/c.conf': text }), { serverRoot: '/' });
    expect(parsed.variables.KDT_HTTP_PORT).toBe('18080');
    expect(parsed.problems).toEqual([]);
    expect(parsed.directives.map((d) => [d.key, d.args, d.sections.at(-1)?.args])).toEqual([
      ['define', ['KDT_HTTP_PORT', '18080'], undefined],
      ['servername', ['a'], ['*:18080']],
    ]);
    const alone = parseConfig('/c.conf', memoryReader({ '/c.conf': text.split('\n').slice(1).join('\n') }), { serverRoot: '/' });
    expect(alone.variables.KDT_HTTP_PORT).toBe('80');
  });
});
