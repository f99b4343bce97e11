import type { PostgresTarget } from '@kit-db-test/schema';
import type { CheckOutcome } from '../types.js';
import { fail } from '../types.js';
import { reloadCommand } from './hba-verdict.js';
import type { ServerPlace } from './server-place.js';
import { certificateLine, type ServerCertificate } from './tls-probe.js';

const UNTRUSTED = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE']);

/** Whether a connection failure is TLS's (then diagnoseTls explains it). */
export function isTlsFailure(code: string, message: string): boolean {
  return UNTRUSTED.has(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID' || /does not support SSL/.test(message);
}

/**
 * A TLS failure's exact cause and fix, with the certificate the server presents. Pure, for tests.
 */
export function diagnoseTls(target: PostgresTarget, failure: { code: string; message: string }, certificate: ServerCertificate | null, place: ServerPlace): CheckOutcome {
  const host = place.local ? 'this machine' : place.host;
  const evidence = [`${failure.message}${failure.code && !failure.message.includes(failure.code) ? ` (${failure.code})` : ''}`, ...(certificate ? [certificateLine(certificate)] : [])];
  const reload = reloadCommand(place);
  if (/does not support SSL/.test(failure.message)) {
    return fail(`the server does not offer TLS (ssl = off) and sslmode=${target.sslmode} requires it`, evidence, [
      `on ${host}: set ssl = on, ssl_cert_file and ssl_key_file in postgresql.conf (the server's certificate and key), then reload: ${reload}`,
    ]);
  }
  if (UNTRUSTED.has(failure.code)) {
    return fail(`the server's certificate is issued by ${certificate?.issuer || 'a CA'} that this machine does not trust`, evidence, [
      `give the CA certificate that signed it: sslrootcert=/path/to/ca.crt in the URL (or "sslrootcert" in the profile); copy it from the CA that issued ssl_cert_file on ${host}`,
    ]);
  }
  if (failure.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = certificate?.names.join(', ') || certificate?.subject || 'other names';
    return fail(`the server's certificate is for ${names}, not ${target.host} (the host in the URL)`, evidence, [
      `use one of the certificate's names as the host in the URL, or on ${host} give the server a certificate with ${target.host} in its subjectAltName (ssl_cert_file), then reload: ${reload}`,
      'sslmode=verify-ca checks the chain only, not the name: a weaker choice',
    ]);
  }
  const expired = failure.code === 'CERT_HAS_EXPIRED';
  return fail(
    expired ? `the server's certificate expired on ${certificate?.validTo ?? '(unknown)'}` : `the server's certificate is not valid before ${certificate?.validFrom ?? '(unknown)'}`,
    evidence,
    [`on ${host}: renew the certificate in ssl_cert_file${expired ? '' : ' (or fix the server\'s clock)'}, then reload: ${reload}`],
  );
}
