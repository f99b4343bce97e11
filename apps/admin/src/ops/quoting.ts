// Writing a value into each format ops render produces, so that every reader takes it back as
// one value, as it is. Values that cannot be written on one line (control characters) are refused
// before any of these runs (config-values.ts, render-request.ts).

// Characters that mean nothing to sh, systemd or httpd: such a value is written bare.
const PLAIN = /^[A-Za-z0-9._+@%=:,/-]+$/;

/** A word for a POSIX shell: bare when it is plain, else in single quotes (a quote as '\''). */
export function shellQuote(value: string): string {
  return PLAIN.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A path in a systemd unit setting that takes a list of paths (ReadWritePaths=): systemd.syntax(7)
 * splits such a list on blanks unless an item is quoted, and a backslash in quotes takes the next
 * character as it is; "%" starts a specifier (systemd.unit(5)) everywhere, so it is doubled.
 */
export function unitPathItem(path: string): string {
  const escaped = path.replace(/%/g, '%%');
  return /^[^\s"'\\]+$/.test(escaped) ? escaped : `"${escaped.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * A value in a systemd EnvironmentFile that `sh -c '. FILE'` reads the same: bare when plain,
 * else in double quotes with \ " $ ` escaped, the only escapes both systemd.exec(5) and POSIX sh
 * give a meaning inside double quotes.
 */
export function environmentValue(value: string): string {
  return PLAIN.test(value) ? value : `"${value.replace(/[\\"$`]/g, '\\$&')}"`;
}

/**
 * Text for inside a double-quoted httpd directive argument ("{{name}}" in the template):
 * ap_getword_conf takes \" and \\ there as " and \.
 */
export function httpdInQuotes(value: string): string {
  return value.replace(/[\\"]/g, '\\$&');
}

/**
 * Text in single quotes for a psql backslash command (\echo, \prompt): psql(1) takes two single
 * quotes as one. Backslashes would start escapes; names with one are refused before this.
 */
export function psqlQuoted(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
