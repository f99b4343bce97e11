// Every file ops render writes is line-based (a unit, an environment file, httpd's configuration,
// pg_hba.conf, psql's script, shell): a control character in a value would end its line and start
// a directive, a variable or a command of its own, and no quoting is read the same by all of them.

const NAMES: Record<string, string> = { '\n': 'a newline', '\r': 'a carriage return', '\t': 'a tab', '\0': 'a NUL byte' };

/** The first control character in `value`, in words ("a newline"), or null when there is none. */
export function controlCharacter(value: string): string | null {
  // C0, DEL and C1, and the Unicode line and paragraph separators some readers break lines at.
  const found = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.exec(value)?.[0];
  if (found === undefined) return null;
  return NAMES[found] ?? `a control character (U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
}
