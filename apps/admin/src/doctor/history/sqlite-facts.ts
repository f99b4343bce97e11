import { dirname } from 'node:path';
import type { Stats } from 'node:fs';
import type { DoctorContext } from '../context.js';
import type { Facts } from './run-record.js';

// No times: the site changes the file on every post.
const describe = (s: Stats | undefined) => (s ? `present, mode 0${(s.mode & 0o777).toString(8)}, owner ${s.uid}:${s.gid}` : 'absent');

/** The SQLite file and its folder: there or not, mode and owner. */
export function sqliteFacts(context: DoctorContext): Facts {
  const target = context.config.target;
  if (target.driver !== 'sqlite') return {};
  return {
    'sqlite.folder': describe(context.files.stat(dirname(target.path))),
    'sqlite.file': describe(context.files.stat(target.path)),
    'sqlite.journal_mode': context.journalMode ?? null,
  };
}
