import { UsageError } from '../cli/cli-error.js';
import type { Check } from './types.js';

/**
 * `doctor --only`: the checks named (an id such as `pg.auth`, or a group such as `pg` for every
 * `pg.*` check), plus the earlier checks they need, in the original order. A stage of a guide
 * then checks what that stage set up and exits 0 when it is done, instead of failing on the
 * stages still to come.
 */
export function selectChecks<Context>(checks: Check<Context>[], only: string | undefined): Check<Context>[] {
  if (only === undefined) return checks;
  const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
  if (wanted.length === 0) throw new UsageError('--only: expected check ids or groups, e.g. --only pg or --only config.valid,pg.server');
  const byId = new Map(checks.map((c) => [c.id, c]));
  const chosen = new Set<string>();
  for (const name of wanted) {
    const matches = checks.filter((c) => c.id === name || c.id.startsWith(`${name}.`));
    if (matches.length === 0) {
      const groups = [...new Set(checks.map((c) => c.id.split('.')[0]))];
      throw new UsageError(`--only: no check "${name}" for this configuration; the groups are ${groups.join(', ')} and the ids ${checks.map((c) => c.id).join(', ')}`);
    }
    for (const match of matches) chosen.add(match.id);
  }
  // A check runs only after the checks it needs: bring those in too (they come earlier).
  const pending = [...chosen];
  while (pending.length) {
    for (const need of byId.get(pending.pop()!)?.needs ?? []) {
      if (!chosen.has(need)) {
        chosen.add(need);
        pending.push(need);
      }
    }
  }
  return checks.filter((c) => chosen.has(c.id));
}
