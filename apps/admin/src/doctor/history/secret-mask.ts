import { MASK, maskUrlPasswords } from '@kit-db-test/schema';

// Keys whose values are secrets; a *_FILE key names a file and is kept (its content never is).
const SECRET_KEY = /PASS|SECRET|TOKEN|CREDENTIAL|PRIVATE|(^|_)KEY$/i;

/** A value as the history may keep it: URL passwords and `password=` parameters masked. */
export function maskValue(value: string): string {
  return maskUrlPasswords(value).replace(/([?&;\s]password=)[^&\s]*/gi, `$1${MASK}`);
}

/** An environment variable as the history may keep it: the value of a secret-ish key masked. */
export function maskEnv(key: string, value: string): string {
  if (SECRET_KEY.test(key) && !/_FILE$/i.test(key)) return MASK;
  return maskValue(value);
}

/**
 * The last line of defence before anything is written: every known secret value replaced by the
 * mask wherever it appears, also inside a summary or a fix some check wrote.
 */
export function redactKnown(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    // JSON escapes some characters: replace the escaped spelling too.
    for (const spelling of new Set([secret, JSON.stringify(secret).slice(1, -1)])) out = out.split(spelling).join(MASK);
  }
  return out;
}
