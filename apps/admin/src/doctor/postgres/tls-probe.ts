import { connect as connectTcp } from 'node:net';
import { connect as connectTls, type PeerCertificate } from 'node:tls';

/** The server's certificate, as the doctor reports it. */
export interface ServerCertificate {
  subject: string;
  /** subjectAltName entries, e.g. DNS:db.example, IP Address:10.0.0.5 */
  names: string[];
  issuer: string;
  validFrom: string;
  validTo: string;
}

export type TlsProbe =
  | { offered: true; protocol: string | null; certificate: ServerCertificate | null }
  | { offered: false }
  | { error: string };

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

function describeName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

/**
 * Asks the server for TLS the way libpq does (SSLRequest) and, when it agrees, reads its
 * certificate without judging it: the report names what the server presents, trusted or not.
 */
export function probeTls(host: string, port: number, timeoutMs: number): Promise<TlsProbe> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    let settled = false;
    const done = (result: TlsProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ error: 'ETIMEDOUT' }), timeoutMs);
    socket.once('error', (e: NodeJS.ErrnoException) => done({ error: e.code ?? e.message }));
    socket.once('connect', () => socket.write(SSL_REQUEST));
    socket.once('data', (data: Buffer) => {
      if (data[0] !== 0x53) return done({ offered: false });
      const tls = connectTls({ socket, rejectUnauthorized: false, ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }) });
      tls.once('error', (e: NodeJS.ErrnoException) => done({ error: e.code ?? e.message }));
      tls.once('secureConnect', () => {
        const c = tls.getPeerCertificate();
        const certificate = c && c.subject
          ? {
              subject: describeName(c.subject),
              names: (c.subjectaltname ?? '').split(', ').filter(Boolean),
              issuer: describeName(c.issuer),
              validFrom: new Date(c.valid_from).toISOString(),
              validTo: new Date(c.valid_to).toISOString(),
            }
          : null;
        const protocol = tls.getProtocol();
        tls.destroy();
        done({ offered: true, protocol, certificate });
      });
    });
  });
}

/** The certificate in one line for evidence. */
export function certificateLine(c: ServerCertificate): string {
  return `server certificate: subject ${c.subject}; names ${c.names.join(', ') || '(none)'}; issuer ${c.issuer}; valid ${c.validFrom} to ${c.validTo}`;
}
