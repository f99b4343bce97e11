import { describe, expect, it } from 'vitest';
import { parseConfig } from './config-parser.js';
import { memoryReader } from './memory-reader.js';
import { analyzeProxy, parseBackendUrl, prefixCovers, verdict, type SiteView } from './proxy-analysis.js';

// As ops render writes it: ORIGIN set (without it the site serves loopback names only).
const SITE: SiteView = {
  listen: { kind: 'tcp', host: '127.0.0.1', port: 3000 },
  basePath: '/kit-db-test',
  origin: 'http://example.org',
  protocolHeader: null,
  hostHeader: null,
  publicUrl: null,
};
const ALL = new Set(['proxy_module', 'proxy_http_module', 'headers_module']);

/** Analyzes a site configuration file given as text (one file, /etc/httpd/conf.d/kdt.conf). */
function analyze(conf: string, site: Partial<SiteView> = {}, loaded: ReadonlySet<string> | null = ALL) {
  const parsed = parseConfig('/etc/httpd/conf.d/kdt.conf', memoryReader({ '/etc/httpd/conf.d/kdt.conf': conf }), { serverRoot: '/etc/httpd' });
  const analysis = analyzeProxy(parsed.directives, { ...SITE, ...site }, loaded);
  return { ...analysis, status: verdict(analysis.findings), messages: analysis.findings.map((f) => `${f.severity}: ${f.message}`) };
}

const vhost = (body: string, address = '*:80', name = 'example.org') => `<VirtualHost ${address}>\n  ServerName ${name}\n${body}\n</VirtualHost>\n`;
const GOOD = `  ProxyPreserveHost On
  ProxyPass /kit-db-test http://127.0.0.1:3000/kit-db-test retry=0
  ProxyPassReverse /kit-db-test http://127.0.0.1:3000/kit-db-test`;

describe('parseBackendUrl', () => {
  it('reads http, IPv6 and unix-socket backends', () => {
    expect(parseBackendUrl('http://127.0.0.1:3000/kit-db-test')).toEqual({ kind: 'tcp', scheme: 'http', host: '127.0.0.1', port: 3000, path: '/kit-db-test' });
    expect(parseBackendUrl('http://[::1]:3000')).toEqual({ kind: 'tcp', scheme: 'http', host: '::1', port: 3000, path: '' });
    expect(parseBackendUrl('http://localhost/')).toMatchObject({ port: 80, path: '/' });
    expect(parseBackendUrl('unix:/run/kit-db-test/site.sock|http://localhost/kit-db-test')).toEqual({ kind: 'socket', socketPath: '/run/kit-db-test/site.sock', scheme: 'http', path: '/kit-db-test' });
    expect(parseBackendUrl('balancer://app/')).toEqual({ kind: 'other', url: 'balancer://app/' });
  });
});

describe('prefixCovers', () => {
  it('compares whole path segments, as ProxyPass does', () => {
    expect(prefixCovers('/kit-db-test', '/kit-db-test/')).toBe(true);
    expect(prefixCovers('/kit', '/kit-db-test/')).toBe(false);
    expect(prefixCovers('/', '/kit-db-test/')).toBe(true);
    expect(prefixCovers('/kit-db-test/', '/kit-db-test')).toBe(false);
  });
});

describe('analyzeProxy', () => {
  it('passes a ProxyPass to the site\'s address and base path, with ProxyPassReverse, retry=0 and the origin agreeing', () => {
    const r = analyze(vhost(GOOD));
    expect(r.messages).toEqual([]);
    expect(r.status).toBe('pass');
    expect(r.evidence).toContain('/etc/httpd/conf.d/kdt.conf:4: ProxyPass /kit-db-test http://127.0.0.1:3000/kit-db-test retry=0 (in <VirtualHost *:80>)');
  });

  it('says nothing is proxied when there is no ProxyPass at all', () => {
    expect(analyze(vhost('  ServerAdmin root@localhost')).proxiesNothing).toBe(true);
  });

  it('the wrong port: "the site listens on 3000, httpd proxies to 3001"', () => {
    const r = analyze(vhost(GOOD.replaceAll('3000', '3001')));
    expect(r.status).toBe('fail');
    expect(r.messages[0]).toBe('fail: the site listens on 3000, httpd proxies to 3001 (http://127.0.0.1:3001/kit-db-test)');
    expect(r.findings[0]!.fix![0]).toBe('/etc/httpd/conf.d/kdt.conf:4: ProxyPass /kit-db-test http://127.0.0.1:3000/kit-db-test retry=0');
  });

  it('a unix socket: the same socket passes, TCP while the site listens on a socket fails', () => {
    const socketSite = { listen: { kind: 'socket' as const, path: '/run/kit-db-test/site.sock' } };
    const onSocket = GOOD.replaceAll('http://127.0.0.1:3000', 'unix:/run/kit-db-test/site.sock|http://localhost');
    expect(analyze(vhost(onSocket), socketSite).messages).toEqual([]);
    expect(analyze(vhost(GOOD), socketSite).messages[0]).toBe('fail: the site listens on the unix socket /run/kit-db-test/site.sock, httpd proxies to http://127.0.0.1:3000/kit-db-test');
  });

  it('a ProxyPass that strips the base path', () => {
    const r = analyze(vhost(GOOD.replaceAll('http://127.0.0.1:3000/kit-db-test', 'http://127.0.0.1:3000/')));
    expect(r.messages[0]).toContain('fail: httpd strips the base path: /kit-db-test/x reaches the site as /x');
  });

  it('a base path that differs from the build\'s: every asset 404s', () => {
    const r = analyze(vhost(GOOD.replaceAll('/kit-db-test', '/app')));
    expect(r.status).toBe('fail');
    expect(r.messages[0]).toContain('httpd serves the site at /app, but the site was built with base path /kit-db-test');
    expect(r.messages[0]).toContain('every asset 404s');
    expect(r.findings[0]!.fix).toEqual([
      'either change the ProxyPass path to /kit-db-test (/etc/httpd/conf.d/kdt.conf:4): ProxyPass /kit-db-test http://127.0.0.1:3000/kit-db-test retry=0',
      'or rebuild the site with BASE_PATH=/app pnpm build and restart it',
    ]);
  });

  it('no ProxyPass for the base path nor the site\'s address', () => {
    const r = analyze(vhost('  ProxyPass /other http://127.0.0.1:8080/other retry=0'));
    expect(r.messages[0]).toBe('fail: no ProxyPass in <VirtualHost *:80> (/etc/httpd/conf.d/kdt.conf:1) takes /kit-db-test to the site (http://127.0.0.1:3000)');
  });

  it('a ProxyPass ... ! exclusion that catches the base path first', () => {
    const r = analyze(vhost(`  ProxyPass /kit-db-test !\n${GOOD}`));
    expect(r.messages[0]).toContain('excludes /kit-db-test from proxying');
  });

  it('a root ProxyPass / passes the site its paths unchanged', () => {
    const r = analyze(vhost('  ProxyPreserveHost On\n  ProxyPass / http://127.0.0.1:3000/ retry=0\n  ProxyPassReverse / http://127.0.0.1:3000/'));
    expect(r.messages).toEqual([]);
  });

  it('a trailing slash on the path only: the home page /kit-db-test is not proxied', () => {
    const r = analyze(vhost('  ProxyPreserveHost On\n  ProxyPass /kit-db-test/ http://127.0.0.1:3000/kit-db-test/ retry=0\n  ProxyPassReverse /kit-db-test/ http://127.0.0.1:3000/kit-db-test/'));
    expect(r.messages).toEqual(["warn: ProxyPass /kit-db-test/ does not match /kit-db-test (no slash), the site's home page (SvelteKit redirects /kit-db-test/ there): httpd answers it with 404"]);
  });

  it('recommends retry=0 and ProxyPassReverse', () => {
    const r = analyze(vhost('  ProxyPreserveHost On\n  ProxyPass /kit-db-test http://127.0.0.1:3000/kit-db-test'));
    expect(r.status).toBe('warn');
    expect(r.messages).toEqual([
      'warn: no ProxyPassReverse for /kit-db-test: a redirect the site sends with its own address reaches the browser unchanged',
      'warn: ProxyPass without retry=0: after one failed connection httpd stops trying the site for 60 s, so a restart of the site (or a fix) looks broken for that long',
    ]);
  });

  it('reads a ProxyPass inside <Location>, and ignores one inside <IfModule> for a module not loaded', () => {
    const inLocation = vhost('  ProxyPreserveHost On\n  <Location /kit-db-test>\n    ProxyPass http://127.0.0.1:3000/kit-db-test retry=0\n    ProxyPassReverse http://127.0.0.1:3000/kit-db-test\n  </Location>');
    expect(analyze(inLocation).messages).toEqual([]);
    const hidden = vhost(`<IfModule mod_proxy.c>\n${GOOD}\n</IfModule>`);
    expect(analyze(hidden, {}, new Set()).proxiesNothing).toBe(true);
    expect(analyze(hidden, {}, null).messages).toEqual([]);
  });

  describe('the origin the site derives through httpd', () => {
    it('ORIGIN differs from the public URL: every form post gets 403', () => {
      const r = analyze(vhost(GOOD, '*:443'), { origin: 'https://example.com', publicUrl: 'https://example.org/kit-db-test/' });
      expect(r.messages).toContain('fail: the site\'s ORIGIN is https://example.com but browsers use https://example.org (--public-url): every form post gets 403 "Cross-site POST form submissions are forbidden"');
    });

    it('PROTOCOL_HEADER set but httpd never sets it, public http: 403', () => {
      const r = analyze(vhost(GOOD), { origin: null, protocolHeader: 'x-forwarded-proto', hostHeader: 'x-forwarded-host' });
      expect(r.status).toBe('fail');
      expect(r.messages[0]).toBe('fail: httpd does not set X-Forwarded-Proto, which the site reads (PROTOCOL_HEADER), so the site assumes https; browsers use http://example.org: every form post gets 403 "Cross-site POST form submissions are forbidden"');
      expect(r.findings[0]!.fix).toEqual(['add in <VirtualHost *:80> (/etc/httpd/conf.d/kdt.conf:1): RequestHeader set X-Forwarded-Proto "http"']);
    });

    it('PROTOCOL_HEADER set but not by httpd, public https: a warning (right only by adapter-node\'s fallback)', () => {
      const r = analyze(vhost(`  SSLEngine on\n${GOOD}`, '*:443'), { origin: null, protocolHeader: 'x-forwarded-proto', hostHeader: 'x-forwarded-host' });
      expect(r.status).toBe('warn');
      expect(r.messages).toEqual(['warn: httpd does not set X-Forwarded-Proto, which the site reads (PROTOCOL_HEADER), so the site assumes https: right only while browsers use https, and any client can send its own X-Forwarded-Proto']);
    });

    it('PROTOCOL_HEADER set and httpd sets it to the public scheme: passes', () => {
      const conf = vhost(`  SSLEngine on\n  RequestHeader set X-Forwarded-Proto "https"\n${GOOD}`, '*:443');
      const r = analyze(conf, { origin: null, protocolHeader: 'x-forwarded-proto', hostHeader: 'x-forwarded-host' });
      expect(r.messages).toEqual([]);
      expect(r.evidence).toContain('httpd sets x-forwarded-proto: https');
    });

    it('RequestHeader says http while browsers use https: 403', () => {
      const conf = vhost(`  RequestHeader set X-Forwarded-Proto http\n${GOOD}`, '*:443');
      const r = analyze(conf, { origin: null, protocolHeader: 'x-forwarded-proto', publicUrl: 'https://example.org/kit-db-test' });
      expect(r.messages[0]).toContain('through httpd the site derives the origin http://example.org, but browsers use https://example.org');
    });

    it('neither ORIGIN nor headers, a public name: the site serves loopback names only, every page 403', () => {
      const r = analyze(vhost(GOOD, '*:443'), { origin: null, publicUrl: 'https://example.org/kit-db-test/' });
      expect(r.messages[0]).toBe("fail: the site takes its origin from the request (http://<Host>) and so answers only to loopback names (against DNS rebinding): browsers' Host example.org gets 403 on every page");
      expect(r.findings[0]!.fix![0]).toBe("set ORIGIN=https://example.org in the site's environment file, then systemctl restart kit-db-test.service");
    });

    it('neither ORIGIN nor headers, a loopback public URL over http: the origin agrees', () => {
      const r = analyze(vhost(GOOD, '*:8080', 'localhost'), { origin: null, publicUrl: 'http://localhost:8080/kit-db-test/' });
      expect(r.messages).toEqual([]);
      const https = analyze(vhost(GOOD, '*:443', 'localhost'), { origin: null, publicUrl: 'https://localhost/kit-db-test/' });
      expect(https.messages[0]).toContain('fail: the site takes its origin from the request (http://<Host>), but browsers use https://localhost');
    });

    it('ProxyPreserveHost Off: the site sees the backend\'s host', () => {
      const r = analyze(vhost(GOOD.replace('ProxyPreserveHost On', 'ProxyPreserveHost Off')), { origin: null });
      expect(r.messages[0]).toContain('ProxyPreserveHost is Off, so it derives http://127.0.0.1:3000');
    });

    it('picks the virtual host the public URL lands in: a ProxyPass only on :80 does not serve https', () => {
      const conf = vhost(GOOD) + vhost('  SSLEngine on', '*:443');
      const r = analyze(conf, { publicUrl: 'https://example.org/kit-db-test/', origin: 'https://example.org' });
      expect(r.messages[0]).toBe('fail: no ProxyPass in <VirtualHost *:443> (/etc/httpd/conf.d/kdt.conf:7) takes /kit-db-test to the site (http://127.0.0.1:3000)');
    });
  });
});
