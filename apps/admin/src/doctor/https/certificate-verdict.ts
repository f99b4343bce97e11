// What the public URL's certificate means for a browser: expired or not yet valid, names that do
// not cover the host, a chain that ends nowhere this machine trusts, an old protocol. Pure: it
// judges the facts of one handshake (tls-probe.ts) at a given time.

import { fail, pass, warn, type CheckOutcome } from '../types.js';
import type { TlsFacts } from './tls-probe.js';

/** Under this many days left a certificate is a warning: certbot renews at 30, so renewal is not happening. */
export const EXPIRY_WARNING_DAYS = 14;

const DAY_MS = 24 * 60 * 60 * 1000;
const MODERN = new Set(['TLSv1.2', 'TLSv1.3']);

/** Where the certificate comes from in httpd's configuration, when the doctor found it. */
export interface CertificateSource {
  /** "/etc/apache2/sites-enabled/kit-db-test.conf:40" */
  where: string;
  certificateFile: string;
  keyFile: string | null;
  /** systemctl reload apache2 */
  reload: string;
}

export interface CertificateInput {
  facts: TlsFacts;
  /** host:port probed */
  target: string;
  host: string;
  now: Date;
  source: CertificateSource | null;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** A fix for a certificate that must be replaced: certbot's when it is one of certbot's, else the edit. */
function replaceFix(source: CertificateSource | null, host: string): string[] {
  if (source?.certificateFile.startsWith('/etc/letsencrypt/')) return ['certbot renew (certbot renews what /etc/letsencrypt/renewal/ lists)', source.reload];
  const edit = source ? `${source.where}: SSLCertificateFile ${source.certificateFile}` : 'SSLCertificateFile of the TLS virtual host';
  return [
    `get a certificate for ${host} from a CA (e.g. certbot certonly --webroot -w /var/www/html -d ${host}), then point ${edit} and its SSLCertificateKeyFile at it (pnpm admin ops render --tls-cert /etc/letsencrypt/live/${host}/fullchain.pem --tls-key /etc/letsencrypt/live/${host}/privkey.pem)`,
    ...(source ? [source.reload] : []),
  ];
}

/** Why a chain is not trusted, in words, and what to do, by OpenSSL's reason. */
function untrusted(facts: TlsFacts, source: CertificateSource | null, host: string): { summary: string; fix: string[] } {
  const file = source ? `${source.where}: SSLCertificateFile ${source.certificateFile}` : 'SSLCertificateFile';
  switch (facts.authorizationError) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return { summary: `the certificate is self-signed (${facts.subject}): browsers refuse it`, fix: replaceFix(source, host) };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return {
        summary: `no CA this machine trusts signed it: its issuer ${facts.issuer} is neither sent by httpd nor trusted here (${facts.authorizationError})`,
        fix: [
          `if ${facts.issuer} is a public CA's intermediate: httpd must send the whole chain, ${file} naming the full chain (certbot's fullchain.pem, not cert.pem)`,
          `if it is your own CA: browsers trust it only once it is installed on them (on Debian: cp CA.crt /usr/local/share/ca-certificates/ && update-ca-certificates)`,
        ],
      };
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return {
        summary: `the chain ends at ${facts.chain.at(-1) ?? facts.issuer}, a CA this machine does not trust (SELF_SIGNED_CERT_IN_CHAIN)`,
        fix: ['a certificate from a public CA (certbot), or that CA installed on every browser that uses the site (on Debian: /usr/local/share/ca-certificates/ then update-ca-certificates)'],
      };
    default:
      return { summary: `the chain is not trusted: ${facts.authorizationError ?? 'unknown reason'}`, fix: replaceFix(source, host) };
  }
}

/** The verdict on the public URL's certificate: the worst problem is the summary, the rest evidence. */
export function certificateVerdict(input: CertificateInput): CheckOutcome {
  const { facts, host, now, source, target } = input;
  const daysLeft = Math.floor((facts.validTo.getTime() - now.getTime()) / DAY_MS);
  const evidence = [
    `${target}: ${facts.protocol ?? 'unknown protocol'}, certificate ${facts.subject}, issued by ${facts.issuer}`,
    `names: ${facts.altNames ?? '(no subjectAltName)'}`,
    `valid ${day(facts.validFrom)} to ${day(facts.validTo)}; SHA-256 ${facts.fingerprint256}`,
    `chain sent: ${facts.chain.join(' ← ')}`,
  ];
  if (source) evidence.push(`served from ${source.where}: SSLCertificateFile ${source.certificateFile}${source.keyFile ? `, SSLCertificateKeyFile ${source.keyFile}` : ''}`);

  if (facts.validTo.getTime() <= now.getTime()) {
    return fail(`the certificate expired on ${day(facts.validTo)} (${-daysLeft} day(s) ago): browsers refuse the site`, evidence, replaceFix(source, host));
  }
  if (facts.validFrom.getTime() > now.getTime()) {
    return fail(`the certificate is valid only from ${day(facts.validFrom)}: browsers refuse it until then (or this machine's clock is wrong: timedatectl)`, evidence, replaceFix(source, host));
  }
  if (facts.nameError) {
    evidence.push(`the names checked as a browser does: ${facts.nameError}`);
    return fail(`the certificate is for ${facts.altNames ?? facts.subject}, not for ${host}: browsers refuse it`, evidence, replaceFix(source, host));
  }
  if (!facts.authorized) {
    const { summary, fix } = untrusted(facts, source, host);
    return fail(summary, evidence, fix);
  }
  if (facts.protocol && !MODERN.has(facts.protocol)) {
    return warn(`httpd negotiated ${facts.protocol}: browsers have dropped it`, evidence, [
      `${source ? `${source.where.replace(/:\d+$/, '')}: ` : ''}SSLProtocol -all +TLSv1.2 +TLSv1.3 in the TLS virtual host`,
    ]);
  }
  if (daysLeft < EXPIRY_WARNING_DAYS) {
    return warn(`the certificate expires in ${daysLeft} day(s), on ${day(facts.validTo)}`, evidence, replaceFix(source, host));
  }
  return pass(`${target}: ${facts.protocol}, a trusted certificate for ${host}, valid until ${day(facts.validTo)} (${daysLeft} days)`, evidence);
}
