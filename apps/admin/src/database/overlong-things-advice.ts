import { displayTarget, THINGS_MAX_LENGTH, type OverlongThings, type ResolvedConfig } from '@kit-db-test/schema';

/** What init-database prints when rows are longer than the `things` limit it is about to add. */
export interface OverlongAdvice {
  /** for stdout: which rows, and the commands that keep their text and fit them to the limit */
  lines: string[];
  /** the one-line failure */
  summary: string;
}

const LONG = `length(things) > ${THINGS_MAX_LENGTH}`;
const SAVE_SQL = `select id, things from stuff where ${LONG} order by id`;
const SHORTEN_SQL = `update stuff set things = substr(things, 1, ${THINGS_MAX_LENGTH}) where ${LONG}`;
const SAVED_FILE = 'stuff-long-things.csv';

/** One shell word: left bare when it is safe, else single-quoted. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function commands(config: ResolvedConfig): [save: string, shorten: string] {
  const target = config.target;
  if (target.driver === 'sqlite') {
    const file = shellWord(target.path);
    return [`sqlite3 -header -csv ${file} ${shellWord(SAVE_SQL)} > ${SAVED_FILE}`, `sqlite3 ${file} ${shellWord(SHORTEN_SQL)}`];
  }
  // Without the password: psql asks for it when the server wants one.
  const psql = `psql ${shellWord(displayTarget({ ...target, password: undefined }))}`;
  return [`${psql} -c ${shellWord(`\\copy (${SAVE_SQL}) to '${SAVED_FILE}' csv header`)}`, `${psql} -c ${shellWord(SHORTEN_SQL)}`];
}

/**
 * Rows that keep the `things` limit from being added: which ones, and the commands, for the
 * database at hand, that save their full text to a file and shorten them. Nothing is cut unless
 * the operator runs them.
 */
export function overlongAdvice(found: OverlongThings, config: ResolvedConfig): OverlongAdvice {
  const shown = found.rows.map((r) => `#${r.id} (${r.length})`).join(', ');
  const more = found.count > found.rows.length ? `, and ${found.count - found.rows.length} more` : '';
  const [save, shorten] = commands(config);
  return {
    lines: [
      `${found.count} row(s) have things longer than ${THINGS_MAX_LENGTH} characters, the limit the SQL above adds: ${shown}${more}.`,
      'To keep their full text and fit them to the limit:',
      `  1. save them to ${SAVED_FILE}: ${save}`,
      `  2. cut them to their first ${THINGS_MAX_LENGTH} characters: ${shorten}`,
      '  3. run pnpm admin init-database again',
    ],
    summary: `${found.count} row(s) of table stuff have things longer than ${THINGS_MAX_LENGTH} characters, which the new limit refuses: nothing changed. Next: save and shorten them with the commands above, then run pnpm admin init-database again`,
  };
}
