import { diffRules } from './rule-diff.js';
import type { FactValue, Facts, RuleFact } from './run-record.js';

/** One difference between two runs' facts, in words an operator recognises. */
export interface FactChange {
  key: string;
  text: string;
  /** pg_hba.conf rules the change is about (to tell a change to the deciding line from others) */
  rules?: string[];
}

const quote = (s: string) => `\`${s}\``;

// Where a fact belongs, as the operator names it; the rest of the key is the item.
const LABELS: [prefix: string, label: string][] = [
  ['config.', 'configuration'],
  ['pg.hba.decides', "pg_hba.conf, the line that takes the app's connection"],
  ['pg.setting.', 'PostgreSQL setting'],
  ['pg.role.', 'role'],
  ['pg.', 'PostgreSQL'],
  ['secret.password_file', 'password file'],
  ['secret.env_file.', 'environment file'],
  ['secret.', 'secret file'],
  ['site.env.', 'site environment'],
  ['site.', 'site'],
  ['httpd.', 'httpd'],
  ['selinux.boolean.', 'SELinux boolean'],
  ['selinux.port.', 'SELinux: port'],
  ['selinux.label.', 'SELinux: label of'],
  ['selinux.', 'SELinux'],
  ['sqlite.', 'SQLite'],
  ['', 'fact'],
];

function label(key: string): { label: string; item: string } {
  const found = LABELS.find(([prefix]) => key.startsWith(prefix))!;
  return { label: found[1], item: key.slice(found[0].length) };
}

const isRules = (v: FactValue): v is RuleFact[] => Array.isArray(v) && v.length > 0 && typeof v[0] === 'object';
const show = (v: FactValue) => (Array.isArray(v) ? v.join(', ') || '(none)' : String(v));

function hbaChanges(key: string, before: RuleFact[], after: RuleFact[]): FactChange[] {
  return diffRules(before, after).map((c) => {
    const rules = [c.text, ...(c.above ? [c.above] : [])];
    switch (c.kind) {
      case 'moved':
        return { key, rules, text: `pg_hba.conf: the line ${quote(c.text)} moved from line ${c.from} to line ${c.to}${c.above ? `, above ${quote(c.above)}` : ''}` };
      case 'added':
        return { key, rules, text: `pg_hba.conf: the line ${quote(c.text)} added at line ${c.to}${c.above ? `, above ${quote(c.above)}` : ''}` };
      case 'removed':
        return { key, rules, text: `pg_hba.conf: the line ${quote(c.text)} (line ${c.from}) removed` };
    }
  });
}

function listChanges(key: string, before: string[], after: string[]): FactChange[] {
  const { label: where, item } = label(key);
  const name = item ? `${where} ${item}` : where;
  const removed = before.filter((x) => !after.includes(x)).map((x) => ({ key, text: `${name}: ${x} no longer there` }));
  const added = after.filter((x) => !before.includes(x)).map((x) => ({ key, text: `${name}: ${x} added` }));
  return [...removed, ...added];
}

/**
 * The differences between two snapshots, in the order of the facts. A fact unreadable in either
 * run (null, or missing) is no difference: nobody changed it, the doctor could not see it.
 */
export function diffFacts(before: Facts, after: Facts): FactChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changes: FactChange[] = [];
  for (const key of keys) {
    const a = before[key] ?? null;
    const b = after[key] ?? null;
    if (a === null || b === null || JSON.stringify(a) === JSON.stringify(b)) continue;
    if (key === 'pg.hba.rules' && (isRules(a) || isRules(b))) {
      changes.push(...hbaChanges(key, a as RuleFact[], b as RuleFact[]));
    } else if (Array.isArray(a) && Array.isArray(b) && !isRules(a) && !isRules(b)) {
      changes.push(...listChanges(key, a as string[], b as string[]));
    } else {
      const { label: where, item } = label(key);
      changes.push({ key, text: `${item ? `${where} ${item}` : where}: ${show(a)} → ${show(b)}` });
    }
  }
  return changes;
}
