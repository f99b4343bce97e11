/** What the doctor needs from a systemd unit file (systemd.unit(5), systemd.exec(5)). */
export interface UnitFile {
  user: string | null;
  group: string | null;
  environmentFiles: string[];
  /** Environment= assignments, in order */
  environment: Record<string, string>;
  execStart: string | null;
  readWritePaths: string[];
}

/**
 * A list of paths as systemd.syntax(7) splits it: on blanks, except inside an item in double or
 * single quotes, where a backslash takes the next character as it is; "%%" is a literal "%".
 */
function pathList(value: string): string[] {
  const items = value.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\S+/g) ?? [];
  return items.map((item) => item.replace(/^(["'])(.*)\1$/, '$2').replace(/\\(.)/g, '$1').replace(/%%/g, '%'));
}

/** Reads the [Service] section's settings; later assignments win, as systemd applies them. */
export function parseUnitFile(text: string): UnitFile {
  const unit: UnitFile = { user: null, group: null, environmentFiles: [], environment: {}, execStart: null, readWritePaths: [] };
  let section = '';
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    if (section !== 'Service') continue;
    const m = /^([A-Za-z]+)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, key, value = ''] = m;
    switch (key) {
      case 'User':
        unit.user = value || null;
        break;
      case 'Group':
        unit.group = value || null;
        break;
      case 'EnvironmentFile':
        // A leading "-" means: ignore the file if it does not exist.
        if (value) unit.environmentFiles.push(value.replace(/^-/, ''));
        break;
      case 'Environment':
        for (const assignment of value.match(/"[^"]*"|\S+/g) ?? []) {
          const a = assignment.replace(/^"(.*)"$/, '$1');
          const eq = a.indexOf('=');
          if (eq > 0) unit.environment[a.slice(0, eq)] = a.slice(eq + 1);
        }
        break;
      case 'ExecStart':
        unit.execStart = value || null;
        break;
      case 'ReadWritePaths':
        unit.readWritePaths.push(...pathList(value).map((p) => p.replace(/^[-+]/, '')));
        break;
    }
  }
  return unit;
}
