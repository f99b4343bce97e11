/** What pg_hba.conf does with the app's own connection, as the doctor's checks use it. */
export interface HbaLineRef {
  file: string;
  line: number;
  /** the line as written */
  text: string;
  method: string;
}

export interface HbaVerdict {
  /** the file read (the server's path) */
  file: string;
  /** the connection simulated, in words: `local connection to database "kdt" as "kdt"` */
  request: string;
  /** the first line that matches it, or null: "no pg_hba.conf entry" */
  matched: HbaLineRef | null;
  /** a later line written for this app (naming its database or user) that the matched line hides */
  shadowed: HbaLineRef | null;
  /** the first rule of the file (where a line for the app goes when nothing matches), null if none */
  firstRuleLine: number | null;
  /** the line to add for the app, in the file's style */
  suggestedLine: string;
  /** lines the server cannot parse (it then keeps the previous file, or does not start) */
  invalid: { line: number; message: string }[];
  /** lines above the match that could not be evaluated (a regex too costly): one of them may decide instead */
  undecided: { line: number; detail: string }[];
}

export const RELOAD = 'systemctl reload postgresql (or: sudo -u postgres psql -c "SELECT pg_reload_conf()")';

export function lineRef(ref: HbaLineRef): string {
  return `${ref.file} line ${ref.line}: ${ref.text.trim()}`;
}
