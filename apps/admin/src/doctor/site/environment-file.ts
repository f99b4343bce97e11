/**
 * Parses a systemd EnvironmentFile (systemd.exec(5)): KEY=VALUE lines, `#` and `;` comments,
 * values optionally in single or double quotes, a trailing backslash continuing the line.
 */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const lines = text.replace(/\\\n/g, '').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    const quoted = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value);
    if (quoted) value = value.startsWith('"') ? quoted[1]!.replace(/\\(["\\$`])/g, '$1') : quoted[1]!;
    env[m[1]!] = value;
  }
  return env;
}
