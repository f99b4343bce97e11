import { describe, expect, it } from 'vitest';
import { certificateVerdict, type CertificateInput } from './certificate-verdict.js';
import type { TlsFacts } from './tls-probe.js';

const now = new Date('2026-06-01T12:00:00Z');
const facts: TlsFacts = {
  protocol: 'TLSv1.3',
  authorized: true,
  authorizationError: null,
  subject: 'CN=example.org',
  issuer: 'C=US, O=Let\'s Encrypt, CN=R11',
  altNames: 'DNS:example.org',
  validFrom: new Date('2026-05-01T00:00:00Z'),
  validTo: new Date('2026-07-30T00:00:00Z'),
  fingerprint256: 'AB:CD',
  chain: ['CN=example.org', "C=US, O=Let's Encrypt, CN=R11"],
  nameError: null,
};
const certbot = { where: '/etc/apache2/sites-enabled/kit-db-test.conf:40', certificateFile: '/etc/letsencrypt/live/example.org/fullchain.pem', keyFile: '/etc/letsencrypt/live/example.org/privkey.pem', reload: 'systemctl reload apache2' };
const verdict = (over: Partial<TlsFacts>, input: Partial<CertificateInput> = {}) =>
  certificateVerdict({ facts: { ...facts, ...over }, target: 'example.org:443', host: 'example.org', now, source: certbot, ...input });

describe('certificateVerdict', () => {
  it('a trusted certificate for the host, weeks left: passes with the protocol and the date', () => {
    expect(verdict({})).toMatchObject({ status: 'pass', summary: 'example.org:443: TLSv1.3, a trusted certificate for example.org, valid until 2026-07-30 (58 days)' });
  });

  it('under two weeks left: a warning, and certbot renew for a certbot certificate', () => {
    expect(verdict({ validTo: new Date('2026-06-10T00:00:00Z') })).toMatchObject({
      status: 'warn',
      summary: 'the certificate expires in 8 day(s), on 2026-06-10',
      fix: ['certbot renew (certbot renews what /etc/letsencrypt/renewal/ lists)', 'systemctl reload apache2'],
    });
  });

  it('not valid yet: names the date, and the clock', () => {
    expect(verdict({ validFrom: new Date('2026-06-05T00:00:00Z') }).summary).toBe(
      "the certificate is valid only from 2026-06-05: browsers refuse it until then (or this machine's clock is wrong: timedatectl)",
    );
  });

  it('self-signed, outside certbot: how to get one, naming the directive to change', () => {
    const outcome = verdict({ authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT', issuer: 'CN=example.org' }, { source: { ...certbot, certificateFile: '/etc/ssl/certs/ssl-cert-snakeoil.pem' } });
    expect(outcome).toMatchObject({ status: 'fail', summary: 'the certificate is self-signed (CN=example.org): browsers refuse it' });
    expect(outcome.fix?.[0]).toContain('point /etc/apache2/sites-enabled/kit-db-test.conf:40: SSLCertificateFile /etc/ssl/certs/ssl-cert-snakeoil.pem and its SSLCertificateKeyFile at it');
  });

  it('an intermediate not sent: the full chain', () => {
    const outcome = verdict({ authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', chain: ['CN=example.org'] });
    expect(outcome.status).toBe('fail');
    expect(outcome.fix?.[0]).toBe(
      "if C=US, O=Let's Encrypt, CN=R11 is a public CA's intermediate: httpd must send the whole chain, /etc/apache2/sites-enabled/kit-db-test.conf:40: SSLCertificateFile /etc/letsencrypt/live/example.org/fullchain.pem naming the full chain (certbot's fullchain.pem, not cert.pem)",
    );
  });

  it('an old protocol: a warning with the SSLProtocol line', () => {
    expect(verdict({ protocol: 'TLSv1.1' })).toMatchObject({ status: 'warn', summary: 'httpd negotiated TLSv1.1: browsers have dropped it' });
  });

  it('expiry wins over every other problem', () => {
    expect(verdict({ validTo: new Date('2026-05-02T00:00:00Z'), nameError: 'x', authorized: false }).summary).toBe('the certificate expired on 2026-05-02 (31 day(s) ago): browsers refuse the site');
  });
});
