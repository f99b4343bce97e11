import { checkServerIdentity, connect, getCACertificates, type DetailedPeerCertificate } from 'node:tls';

/** What one TLS handshake with the public URL's host showed. */
export interface TlsFacts {
  /** "TLSv1.3" */
  protocol: string | null;
  /** the chain leads to a CA this machine trusts (Node's bundle, NODE_EXTRA_CA_CERTS, the system's store) */
  authorized: boolean;
  /** OpenSSL's reason when not: DEPTH_ZERO_SELF_SIGNED_CERT, UNABLE_TO_VERIFY_LEAF_SIGNATURE … */
  authorizationError: string | null;
  subject: string;
  issuer: string;
  /** "DNS:example.org, IP Address:127.0.0.1" as the certificate lists them */
  altNames: string | null;
  validFrom: Date;
  validTo: Date;
  fingerprint256: string;
  /** certificates httpd sent, the server's own first */
  chain: string[];
  /** why the names do not cover the host, null when they do */
  nameError: string | null;
}

export type TlsProbe = { ok: true; facts: TlsFacts } | { ok: false; code: string; message: string };

const isIp = (host: string) => /^[0-9.]+$/.test(host) || host.includes(':');

const describeName = (name: Record<string, string | string[]> | undefined) =>
  name ? Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ') : '(none)';

/** The certificates in the order httpd sent them, the server's own first (issuerCertificate links, cycle-safe). */
function chainOf(cert: DetailedPeerCertificate): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  let current: DetailedPeerCertificate | undefined = cert;
  while (current && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    out.push(describeName(current.subject as unknown as Record<string, string>));
    current = current.issuerCertificate;
  }
  return out;
}

/**
 * One TLS handshake with `host:port` (SNI for a name), trusting what a browser on this machine
 * would: Node's CA bundle, NODE_EXTRA_CA_CERTS and the system's store. The certificate is read
 * whatever its state: judging it is certificate-verdict.ts's part.
 */
export function probeTls(host: string, port: number, timeoutMs: number): Promise<TlsProbe> {
  return new Promise((resolve) => {
    const ca = [...new Set([...getCACertificates('default'), ...getCACertificates('system')])];
    const socket = connect({ host, port, ...(isIp(host) ? {} : { servername: host }), ca, rejectUnauthorized: false, timeout: timeoutMs });
    let settled = false;
    const done = (probe: TlsProbe) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(probe);
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(true);
      if (!cert || Object.keys(cert).length === 0) {
        done({ ok: false, code: 'NO_CERTIFICATE', message: 'the server sent no certificate' });
        return;
      }
      const identity = checkServerIdentity(host, cert);
      const error = socket.authorizationError as unknown as Error | string | null;
      done({
        ok: true,
        facts: {
          protocol: socket.getProtocol(),
          authorized: socket.authorized,
          authorizationError: error ? (typeof error === 'string' ? error : ((error as NodeJS.ErrnoException).code ?? error.message)) : null,
          subject: describeName(cert.subject as unknown as Record<string, string>),
          issuer: describeName(cert.issuer as unknown as Record<string, string>),
          altNames: cert.subjectaltname ?? null,
          validFrom: new Date(cert.valid_from),
          validTo: new Date(cert.valid_to),
          fingerprint256: cert.fingerprint256,
          chain: chainOf(cert),
          nameError: identity ? identity.message : null,
        },
      });
    });
    socket.once('timeout', () => done({ ok: false, code: 'ETIMEDOUT', message: `no TLS handshake within ${timeoutMs} ms` }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, code: error.code ?? 'ERROR', message: error.message }));
  });
}
