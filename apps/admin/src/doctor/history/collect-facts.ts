import type { DoctorContext } from '../context.js';
import type { CheckResult } from '../types.js';
import { httpdFacts } from './httpd-facts.js';
import { postgresFacts } from './postgres-facts.js';
import type { Facts } from './run-record.js';
import { selinuxFacts } from './selinux-facts.js';
import { siteFacts } from './site-facts.js';
import { sqliteFacts } from './sqlite-facts.js';

/**
 * The snapshot at the end of a run, from the readers the checks used (most answers are the ones
 * they memoized). A reader that throws costs its own facts only, never the run.
 */
export async function collectFacts(context: DoctorContext, results: CheckResult[]): Promise<Facts> {
  const readers: (() => Facts | Promise<Facts>)[] = [
    () => siteFacts(context, results),
    () => (context.config.target.driver === 'postgresql' ? postgresFacts(context) : sqliteFacts(context)),
    () => httpdFacts(context),
    () => selinuxFacts(context),
  ];
  const facts: Facts = {};
  for (const read of readers) {
    try {
      Object.assign(facts, await read());
    } catch {
      // what this reader would have seen stays unknown
    }
  }
  return facts;
}
