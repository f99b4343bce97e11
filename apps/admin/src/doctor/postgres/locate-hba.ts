import type pg from 'pg';
import type { SystemFiles } from '../system-files.js';

export interface HbaLocation {
  /** the server's path to the file */
  path: string;
  /** how it was found, for the report */
  how: string;
  /** the server's major version, when the path or the session tells it */
  major: number | null;
}

/**
 * Finds pg_hba.conf: --hba-file; else `SHOW hba_file` when the role may read it; else the usual
 * places of Debian/Ubuntu (/etc/postgresql/<ver>/main) and RHEL (/var/lib/pgsql/<ver>/data,
 * /var/lib/pgsql/data), preferring the server's own version.
 */
export async function locateHba(where: { files: SystemFiles; hbaFile?: string | undefined; session?: pg.Client | undefined }): Promise<HbaLocation | { problem: string }> {
  const { files, hbaFile, session } = where;
  let sessionMajor: number | null = null;
  if (session) {
    const { rows } = await session.query<{ v: string }>("select current_setting('server_version_num') as v");
    sessionMajor = Math.floor(Number(rows[0]?.v) / 10_000) || null;
  }
  if (hbaFile) return { path: hbaFile, how: '--hba-file', major: sessionMajor };
  if (session) {
    try {
      const { rows } = await session.query<{ hba_file: string }>('show hba_file');
      if (rows[0]) return { path: rows[0].hba_file, how: 'SHOW hba_file', major: sessionMajor };
    } catch {
      // only superusers and pg_read_all_settings members may: look in the usual places
    }
  }
  const candidates: { path: string; major: number | null }[] = [];
  for (const v of files.list('/etc/postgresql')) candidates.push({ path: `/etc/postgresql/${v}/main/pg_hba.conf`, major: Number(v) || null });
  for (const v of files.list('/var/lib/pgsql')) candidates.push({ path: `/var/lib/pgsql/${v}/data/pg_hba.conf`, major: Number(v) || null });
  const found = candidates.filter((c) => files.exists(c.path));
  const best = found.find((c) => c.major === sessionMajor) ?? found.sort((a, b) => (b.major ?? 0) - (a.major ?? 0))[0];
  if (!best) {
    return { problem: 'pg_hba.conf not found in /etc/postgresql/*/main or /var/lib/pgsql/*/data; give --hba-file PATH' };
  }
  return { path: best.path, how: found.length > 1 ? `the usual place (${found.length} found)` : 'the usual place', major: sessionMajor ?? best.major };
}
