/** What `systemctl show -p ActiveEnterTimestamp -p NeedDaemonReload UNIT` says. */
export interface UnitTimes {
  /** when the unit last became active, ms since the epoch; null when never (or unreadable) */
  startedAt: number | null;
  /** the unit file changed on disk since systemd loaded it */
  needsReload: boolean;
  /** the lines, for the report */
  raw: string;
}

/**
 * Reads systemctl's KEY=VALUE lines. ActiveEnterTimestamp is "Tue 2026-11-24 10:00:00 UTC" (the
 * zone is the doctor's own: systemctl runs in its environment), "@1764000000" with
 * --timestamp=unix, or empty for a unit never started.
 */
export function parseShow(stdout: string): UnitTimes {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const stamp = values.get('ActiveEnterTimestamp') ?? '';
  let startedAt: number | null = null;
  const unix = /^@(\d+)$/.exec(stamp);
  const human = /^(?:\w{3} )?(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?: (\S+))?$/.exec(stamp);
  if (unix) startedAt = Number(unix[1]) * 1000;
  else if (human) {
    // UTC spelt out is exact; any other zone name is this machine's local time.
    const utc = human[3] === 'UTC' || human[3] === 'GMT';
    const parsed = new Date(`${human[1]}T${human[2]}${utc ? 'Z' : ''}`).getTime();
    startedAt = Number.isNaN(parsed) ? null : parsed;
  }
  return {
    startedAt,
    needsReload: values.get('NeedDaemonReload') === 'yes',
    raw: [...values].map(([k, v]) => `${k}=${v}`).join(', '),
  };
}
