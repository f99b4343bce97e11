import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A certificate and its key, as files. */
export interface CertificateFiles {
  cert: string;
  key: string;
}

/** A test CA and server certificates it signed, made with openssl in a temporary folder. */
export interface TestCertificates {
  dir: string;
  /** the CA's certificate: what a client gives as sslrootcert */
  ca: string;
  /** a server certificate for `ip` (an IP subjectAltName) and `name` */
  server: CertificateFiles;
  /** signed by the CA, for another name only */
  otherName: CertificateFiles;
  /** signed by the CA for `ip` and `name`, valid only in January 2020 */
  expired: CertificateFiles;
  /** for `ip`, signed by a CA nobody trusts */
  untrusted: CertificateFiles;
  remove(): void;
}

const openssl = (dir: string, args: string[]) => exec('openssl', args, { cwd: dir, timeout: 30_000 });

async function newKey(dir: string, name: string): Promise<string> {
  await openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
  return join(dir, `${name}.key`);
}

async function makeCa(dir: string, name: string): Promise<void> {
  await newKey(dir, name);
  await openssl(dir, ['req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-days', '30', '-out', `${name}.crt`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** Signs with `openssl ca`, which (unlike `req` in OpenSSL 3.0) can give any validity period. */
async function sign(dir: string, ca: string, name: string, cn: string, san: string, dates: [string, string] | null): Promise<CertificateFiles> {
  const key = await newKey(dir, name);
  await openssl(dir, ['req', '-new', '-key', key, '-subj', `/CN=${cn}`, '-out', `${name}.csr`]);
  const db = `${ca}-db`;
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  writeFileSync(join(dir, `${name}.cnf`), [
    '[ca]', 'default_ca = test', '[test]', `database = ${db}.txt`, `new_certs_dir = .`, `certificate = ${ca}.crt`, `private_key = ${ca}.key`,
    'default_md = sha256', 'policy = any', 'serial = serial.txt', 'unique_subject = no', '[any]', 'commonName = supplied', '',
  ].join('\n'));
  await openssl(dir, ['ca', '-batch', '-config', `${name}.cnf`, '-in', `${name}.csr`, '-out', `${name}.crt`, '-extfile', `${name}.ext`, '-notext',
    ...(dates ? ['-startdate', dates[0], '-enddate', dates[1]] : ['-days', '30'])]);
  return { cert: join(dir, `${name}.crt`), key };
}

/**
 * Makes a test CA and server certificates with openssl: by IP (and name), for another name,
 * expired, and one from an untrusted CA. Call remove() when done.
 */
export async function makeTestCertificates(ip: string, name = 'db.kdt.test'): Promise<TestCertificates> {
  const dir = mkdtempSync(join(tmpdir(), 'kdt-tls-'));
  try {
    for (const db of ['ca-db.txt', 'rogue-db.txt']) writeFileSync(join(dir, db), '');
    writeFileSync(join(dir, 'serial.txt'), '1000\n');
    await makeCa(dir, 'ca');
    await makeCa(dir, 'rogue');
    const san = `IP:${ip},DNS:${name}`;
    return {
      dir,
      ca: join(dir, 'ca.crt'),
      server: await sign(dir, 'ca', 'server', name, san, null),
      otherName: await sign(dir, 'ca', 'other', 'other.kdt.test', 'DNS:other.kdt.test', null),
      expired: await sign(dir, 'ca', 'expired', name, san, ['20200101000000Z', '20200201000000Z']),
      untrusted: await sign(dir, 'rogue', 'untrusted', name, san, null),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
