// The public URL over https: its certificate and the http:// redirect.
export { certificateCheck, redirectCheck, httpsChecks } from './checks.js';
export { certificateVerdict, EXPIRY_WARNING_DAYS, type CertificateSource } from './certificate-verdict.js';
export { redirectVerdict } from './redirect-verdict.js';
export { probeTls, type TlsFacts, type TlsProbe } from './tls-probe.js';
