import { lintHba, TOO_COSTLY } from '../../hba/index.js';
import type { DoctorContext } from '../context.js';
import { localFiles } from '../system-files.js';
import { fail, pass, skip, warn, type Check, type CheckOutcome } from '../types.js';
import { lineRef, tlsMismatchFix, tlsMismatchSummary } from './hba-verdict.js';
import { readHbaVerdict } from './read-hba.js';
import { readLastConfigLoad } from './read-server-log.js';

/** What the server itself says about the file, when the role may ask (superusers). */
async function serverView(context: DoctorContext, path: string): Promise<{ evidence: string[]; reload: string | null }> {
  const session = context.session;
  // --hba-file names a file on this machine; a found path is the server's, under --root.
  const changedAt = () => (context.options.hbaFile !== undefined ? localFiles : context.files).stat(path)?.mtime;
  if (!session) {
    // The login failed: the server's log tells when it last read its files.
    const logged = readLastConfigLoad(context);
    const changed = changedAt();
    const stale = logged && changed && changed.getTime() > logged.at.getTime() + 1000;
    return {
      evidence: [],
      reload: stale ? `${path} changed at ${changed.toISOString()}, after the server last loaded its configuration (${logged.at.toISOString()}, ${logged.log}): the server still uses the old rules` : null,
    };
  }
  const evidence: string[] = [];
  try {
    const { rows } = await session.query<{ line_number: number; error: string }>(
      'select line_number, error from pg_hba_file_rules where error is not null order by line_number',
    );
    for (const r of rows) evidence.push(`pg_hba_file_rules: line ${r.line_number}: ${r.error}`);
  } catch {
    // not a superuser: the file's own parse stands
  }
  let reload: string | null = null;
  // A copy of a remote server's file (or its rules from the view) has no mtime to compare.
  if (context.serverPlace && !context.serverPlace.local) return { evidence, reload };
  const { rows } = await session.query<{ loaded: Date }>('select pg_conf_load_time() as loaded');
  const loaded = rows[0]?.loaded;
  const changed = changedAt();
  if (loaded && changed && changed.getTime() > loaded.getTime() + 1000) {
    reload = `${path} changed at ${changed.toISOString()}, after the server last loaded its configuration (${loaded.toISOString()}): the server still uses the old rules`;
  }
  return { evidence, reload };
}

export const hbaCheck: Check<DoctorContext> = {
  id: 'pg.hba',
  title: 'pg_hba.conf',
  needs: ['config.valid'],
  async run(context): Promise<CheckOutcome> {
    const reading = await readHbaVerdict(context);
    const { verdict, parsed } = reading;
    if (!verdict || !parsed) {
      // The login shows the server's rules let the app in; what they are is on the other host.
      if (reading.remote && context.login?.ok) return skip(`not read: ${reading.problem}`, reading.problemFix ?? []);
      return warn(`not checked: ${reading.problem}`, [], reading.problemFix ?? (reading.problem?.includes('--hba-file') ? ['give --hba-file PATH'] : ['sudo pnpm admin doctor']));
    }
    const where = `${verdict.file} (found by ${reading.location?.how})`;
    const view = await serverView(context, verdict.file);
    const lint = lintHba(parsed).map((f) => `line ${f.line}: ${f.message}`);
    const undecided = verdict.undecided.map((u) => `${verdict.file} line ${u.line}: ${u.detail}`);

    if (verdict.invalid.length > 0) {
      return fail(
        `${verdict.invalid.length} line(s) the server cannot parse: it keeps its previous rules (or does not start)`,
        [...verdict.invalid.map((i) => `${verdict.file} line ${i.line}: ${i.message}`), ...view.evidence],
        ['fix or remove those lines', verdict.reload],
      );
    }
    if (!verdict.matched && verdict.tlsMismatch) {
      return fail(tlsMismatchSummary(verdict.tlsMismatch), [where, lineRef(verdict.tlsMismatch.line)], tlsMismatchFix(verdict));
    }
    if (!verdict.matched) {
      const place = verdict.firstRuleLine === null ? `add to ${verdict.file}` : `add above line ${verdict.firstRuleLine} of ${verdict.file}`;
      return fail(`no line matches the app's ${verdict.request}`, [where, ...undecided], [`${place}: ${verdict.suggestedLine}`, verdict.reload]);
    }
    if (verdict.shadowed) {
      return fail(
        `line ${verdict.matched.line} shadows line ${verdict.shadowed.line}, the one meant for the app`,
        [`the ${verdict.request} matches ${lineRef(verdict.matched)} first`, `${lineRef(verdict.shadowed)} is never reached`],
        [`move line ${verdict.shadowed.line} above line ${verdict.matched.line} in ${verdict.file}`, verdict.reload],
      );
    }
    if (verdict.matched.method === 'reject') {
      return fail(`line ${verdict.matched.line} rejects the app's ${verdict.request}`, [lineRef(verdict.matched)], [
        `put a line for the app above it: ${verdict.suggestedLine}`,
        verdict.reload,
      ]);
    }
    const decides = `line ${verdict.matched.line} (${verdict.matched.text.trim()}) takes the app's ${verdict.request}: ${verdict.matched.method}`;
    if (undecided.length > 0) {
      // The doctor stopped a regex the server evaluates: an earlier line may take the connection.
      const lines = verdict.undecided.map((u) => u.line).join(', ');
      return warn(`${decides}, unless line ${lines} above it matches (${TOO_COSTLY})`, [...undecided, ...(view.reload ? [view.reload] : [])], [
        `replace the regex on line ${lines} with one without back-references or lookahead, or list the names`,
      ]);
    }
    if (view.reload) return warn(decides, [view.reload], [verdict.reload]);
    if (lint.length > 0 || view.evidence.length > 0) return warn(`${decides}; ${lint.length} finding(s) in the file`, [...lint, ...view.evidence]);
    return pass(decides, [where]);
  },
};
