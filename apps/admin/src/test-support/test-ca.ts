import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface IssuedCertificate {
  certificate: string;
  key: string;
}

export interface TestCa {
  /** the CA's certificate (PEM): what a client that trusts the CA is given */
  certificate: string;
  /** base64 SHA-256 of the CA's public key, for Chromium's --ignore-certificate-errors-spki-list */
  spkiHash: string;
  /**
   * A server certificate for `altNames` (e.g. "IP:127.0.0.1", "DNS:example.org") signed by the CA,
   * valid for 90 days, its file holding the chain (the certificate, then the CA's) as certbot's
   * fullchain.pem does; `expired` makes one valid only in January 2020 (openssl ca, as req cannot
   * back-date).
   */
  issue(name: string, altNames: string, options?: { expired?: boolean }): IssuedCertificate;
}

function openssl(args: string[], input?: string): string {
  const run = spawnSync('openssl', args, { encoding: 'utf8', input });
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

/** A throwaway certificate authority in `dir`, made with openssl. */
export function makeTestCa(dir: string): TestCa {
  mkdirSync(join(dir, 'issued'), { recursive: true });
  const caKey = join(dir, 'ca.key');
  const certificate = join(dir, 'ca.pem');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=kit-db-test test CA', '-keyout', caKey, '-out', certificate,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const publicKey = openssl(['x509', '-in', certificate, '-pubkey', '-noout']);
  const der = spawnSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: publicKey });
  const spkiHash = spawnSync('openssl', ['dgst', '-sha256', '-binary'], { input: der.stdout }).stdout.toString('base64');
  // openssl ca's bookkeeping, for the back-dated certificates.
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const caConfig = join(dir, 'ca.cnf');
  writeFileSync(caConfig, `[ca]\ndefault_ca = test\n[test]\ndatabase = ${dir}/index.txt\nnew_certs_dir = ${dir}/issued\nserial = ${dir}/serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n`);
  return {
    certificate,
    spkiHash,
    issue(name, altNames, options = {}) {
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const cert = join(dir, `${name}.pem`);
      const extensions = join(dir, `${name}.ext`);
      writeFileSync(extensions, `subjectAltName = ${altNames}\nextendedKeyUsage = serverAuth\nbasicConstraints = CA:FALSE\n`);
      openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', key, '-out', csr]);
      if (options.expired) {
        openssl(['ca', '-batch', '-config', caConfig, '-cert', certificate, '-keyfile', caKey, '-in', csr, '-out', cert, '-notext',
          '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-extfile', extensions]);
      } else {
        openssl(['x509', '-req', '-in', csr, '-CA', certificate, '-CAkey', caKey, '-CAcreateserial', '-days', '90', '-out', cert, '-extfile', extensions]);
      }
      appendFileSync(cert, readFileSync(certificate));
      return { certificate: cert, key };
    },
  };
}
