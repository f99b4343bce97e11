// What plain http:// does for the public https:// URL: a redirect to the same path over https is
// right; anything else leaves a browser that types the bare name on plain HTTP, where the site's
// https ORIGIN refuses every form post. Pure: it judges one answer.

import type { HttpResult } from '../service/http-get.js';
import { fail, pass, warn, type CheckOutcome } from '../types.js';

export interface RedirectInput {
  /** http://host[:port]/base/ as probed */
  httpUrl: string;
  /** the public https URL */
  publicUrl: URL;
  result: HttpResult;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const redirectFix = (publicUrl: URL) => [
  `in the port-80 <VirtualHost> for ${publicUrl.hostname}: Redirect permanent "/" "${publicUrl.origin}/" (pnpm admin ops render --public-url ${publicUrl.href} renders it)`,
];

export function redirectVerdict({ httpUrl, publicUrl, result }: RedirectInput): CheckOutcome {
  if (!result.ok) {
    return warn(`nothing answers ${httpUrl} (${result.code}): a browser given the bare name ${publicUrl.hostname} finds no site`, [`GET ${httpUrl}: ${result.message}`], [
      ...redirectFix(publicUrl),
      'and httpd listening on port 80 (Listen 80)',
    ]);
  }
  const { status, headers } = result.answer;
  const location = typeof headers.location === 'string' ? headers.location : null;
  const evidence = [`GET ${httpUrl}: ${status}${location ? `, Location: ${location}` : ''}`];
  if (!REDIRECTS.has(status)) {
    return fail(`${httpUrl} answers ${status} instead of redirecting to ${publicUrl.origin}: over plain http the site's https ORIGIN refuses every form post (403)`, evidence, redirectFix(publicUrl));
  }
  let target: URL | null = null;
  try {
    target = location ? new URL(location, httpUrl) : null;
  } catch {
    target = null;
  }
  const expected = new URL(new URL(httpUrl).pathname, publicUrl.origin).href;
  if (!target || target.origin !== publicUrl.origin) {
    return fail(`${httpUrl} redirects to ${location ?? '(no Location)'}, not to ${publicUrl.origin}`, evidence, redirectFix(publicUrl));
  }
  if (target.href !== expected) {
    return warn(`${httpUrl} redirects to ${target.href}, not to the same path ${expected}: links to a page land elsewhere`, evidence, redirectFix(publicUrl));
  }
  if (status !== 301 && status !== 308) {
    return warn(`${httpUrl} redirects to ${target.href} with ${status}: browsers do not remember a temporary redirect; 301 is the lasting one`, evidence, redirectFix(publicUrl));
  }
  return pass(`${httpUrl} redirects (${status}) to ${target.href}`, evidence);
}
