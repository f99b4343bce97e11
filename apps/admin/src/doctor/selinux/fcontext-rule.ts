/**
 * How `semanage fcontext` must spell a path under /run, which depends on the release. The
 * policy's `file_contexts.subs_dist` declares /run and /var/run equivalent and names the
 * spelling it keeps: RHEL 8 and 9 (and Fedora up to 39) have `/run /var/run`, so a rule for
 * `/run/…` is refused ("conflicts with equivalency rule '/run /var/run'; Try adding
 * '/var/run/…' instead"); Fedora 40 and RHEL 10 inverted it (`/var/run /run`). Pure: no I/O.
 */

/** The prefix a rule for a path under /run must use; null when the release is not known. */
export type RunSpelling = '/run' | '/var/run' | null;

export const SUBS_DIST = (policy: string) => `/etc/selinux/${policy}/contexts/files/file_contexts.subs_dist`;

/** From file_contexts.subs_dist: each line "ALIAS EQUIVALENT"; rules must use the EQUIVALENT. */
export function runSpellingFromSubs(text: string): RunSpelling {
  for (const line of text.split('\n')) {
    const [alias, equivalent] = line.trim().split(/\s+/);
    if (alias === '/run' && equivalent === '/var/run') return '/var/run';
    if (alias === '/var/run' && equivalent === '/run') return '/run';
  }
  return null;
}

/** From os-release when subs_dist cannot be read: the inversion came with Fedora 40 and RHEL 10. */
export function runSpellingFromRelease(id: string | null, versionId: string | null): RunSpelling {
  const major = Number.parseInt(versionId ?? '', 10);
  if (!id || Number.isNaN(major)) return null;
  if (id === 'fedora') return major >= 40 ? '/run' : '/var/run';
  if (['rhel', 'centos', 'rocky', 'almalinux', 'ol'].includes(id)) return major >= 10 ? '/run' : '/var/run';
  return null;
}

const RUN = /^\/(?:var\/)?run(?=\/|$)/;

/** A shell expression that prints the spelling the machine it runs on takes (for a release not known here). */
export const RUN_SPELLING_SHELL = `$(awk '$1=="/run"{print $2; exit}' ${SUBS_DIST('targeted')} 2>/dev/null | grep . || echo /run)`;

/** `semanage fcontext -a -t TYPE 'FOLDER(/.*)?'`, with FOLDER spelt as the release wants it in the rule. */
export function fcontextRuleCommand(folder: string, type: string, spelling: RunSpelling): string {
  if (!RUN.test(folder)) return `semanage fcontext -a -t ${type} '${literalPathRegex(folder)}(/.*)?'`;
  const rest = literalPathRegex(folder.replace(RUN, ''));
  const spec = spelling ? `'${spelling}${rest}(/.*)?'` : `"${RUN_SPELLING_SHELL}"'${rest}(/.*)?'`;
  return `semanage fcontext -a -t ${type} ${spec}`;
}

/** The rule, then `restorecon -Rv FOLDER` (restorecon takes the real path either way). */
export function labelFolderCommand(folder: string, type: string, spelling: RunSpelling): string {
  return `${fcontextRuleCommand(folder, type, spelling)} && restorecon -Rv ${realRunPath(folder)}`;
}

/** The folder as it is, with /var/run read as /run (it is a link to it). */
export const realRunPath = (path: string): string => path.replace(RUN, '/run');

/** `semanage fcontext` takes a regular expression (PCRE): a literal path needs its metacharacters escaped. */
export const literalPathRegex = (path: string): string => path.replace(/[.+*?^$()[\]{}|\\]/g, '\\$&');

/**
 * Labels a program systemd starts bin_t, so that the service runs as unconfined_service_t
 * wherever the program lies (a copy under /srv is var_t, which systemd cannot execute at all).
 */
export function labelProgramCommand(path: string): string {
  return `semanage fcontext -a -t bin_t '${literalPathRegex(path)}' && restorecon -v ${path}`;
}
