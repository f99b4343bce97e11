/**
 * Headers on every answer the site gives, whatever serves it (a page, /health, a static asset, a
 * refusal), so that a site without httpd in front has them too. Pages replace this
 * Content-Security-Policy with their own (kit.csp in vite.config.ts, with the nonce of SvelteKit's
 * inline script); everything else loads nothing and may be framed by nobody.
 */
export const SECURITY_HEADERS = Object.freeze({
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Not no-referrer: under it a browser sends "Origin: null" with a same-origin form post, which
  // SvelteKit's origin check refuses.
  'referrer-policy': 'same-origin',
});
