import { MASK } from './secret.js';

/** A user name as it may stand in a URL's userinfo without encoding (RFC 3986, less ":"). */
const PLAIN_USER = /^[A-Za-z0-9._~!$&'()*+,;=%-]*$/;
const SCHEME_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*:(?:\/\/)?/;
// A URL starts a text or follows a blank or an opening quote: "pw:x://y" inside a password is not one.
const URL_START = /(?<![^\s"'(<[=,;])[A-Za-z][A-Za-z0-9+.-]*:\/\//g;

/**
 * The userinfo (everything before a URL's last "@") as it may be shown: the user name stays when
 * it is a plain one, all else is the mask. A password the operator did not percent-encode may
 * hold "@", "/", "#" or blanks, so nothing before the last "@" is trusted to be a delimiter.
 */
function maskUserInfo(userInfo: string): string {
  const colon = userInfo.indexOf(':');
  const user = colon >= 0 ? userInfo.slice(0, colon) : userInfo;
  if (!PLAIN_USER.test(user)) return MASK;
  if (colon < 0) return user;
  return colon === userInfo.length - 1 ? `${user}:` : `${user}:${MASK}`;
}

/**
 * One database URL as it may be shown, whatever it holds: the whole userinfo up to the last "@"
 * masked but for a plain user name. Without an "@", what follows a ":" in the authority is
 * masked unless it is a port number, since it may be a password whose "@" was forgotten.
 */
export function maskDatabaseUrl(value: string): string {
  const start = SCHEME_PREFIX.exec(value)?.[0].length ?? 0;
  const at = value.lastIndexOf('@');
  if (at >= start) return `${value.slice(0, start)}${maskUserInfo(value.slice(start, at))}${value.slice(at)}`;
  const authority = /^[^/?#]*/.exec(value.slice(start))![0];
  const colon = authority.indexOf(':');
  if (colon < 0 || /^\d*$/.test(authority.slice(colon + 1))) return value;
  return `${value.slice(0, start + colon + 1)}${MASK}${value.slice(start + authority.length)}`;
}

/**
 * Masks the userinfo of every URL in a free text (a driver's message, a log line). Each URL runs
 * to the next one or the end of the text, and its userinfo to the last "@" in that stretch: that
 * may mask more than the password, never less.
 */
export function maskUrlPasswords(text: string): string {
  const starts = [...text.matchAll(URL_START)].map((m) => m.index);
  if (starts.length === 0) return text;
  let out = text.slice(0, starts[0]);
  starts.forEach((from, i) => {
    const segment = text.slice(from, starts[i + 1] ?? text.length);
    const begin = segment.indexOf('://') + 3;
    const at = segment.lastIndexOf('@');
    out += at >= begin ? `${segment.slice(0, begin)}${maskUserInfo(segment.slice(begin, at))}${segment.slice(at)}` : segment;
  });
  return out;
}
