import type { ResolvedConfig } from '@kit-db-test/schema';
import { configCheck } from './config-check.js';
import type { DoctorContext } from './context.js';
import { authCheck } from './postgres/auth.js';
import { databaseCheck } from './postgres/database.js';
import { hbaCheck } from './postgres/hba.js';
import { privilegesCheck } from './postgres/privileges.js';
import { reachableCheck } from './postgres/reachable.js';
import { roundTripCheck } from './postgres/round-trip.js';
import { schemaCheck } from './postgres/schema.js';
import { serverAnswersCheck } from './postgres/server-answers.js';
import { tlsCheck } from './postgres/tls.js';
import { sqliteFileCheck, sqliteFolderCheck, sqliteRoundTripCheck, sqliteSchemaCheck } from './sqlite/checks.js';
import { sqliteSpaceCheck } from './sqlite/free-space.js';
import { sqlitePrivateCheck } from './sqlite/private-files.js';
import { httpdChecks } from './httpd/index.js';
import { httpsChecks } from './https/index.js';
import { selinuxChecks } from './selinux/index.js';
import { serviceChecks } from './service/checks.js';
import type { Check } from './types.js';

/**
 * The checks for a configuration, in dependency order. Their ids are stable (scripts and --json
 * readers rely on them); the README lists them.
 */
export function checksFor(config: ResolvedConfig): Check<DoctorContext>[] {
  const database =
    config.target.driver === 'sqlite'
      ? [configCheck, sqliteFolderCheck, sqliteSpaceCheck, sqliteFileCheck, sqlitePrivateCheck, sqliteSchemaCheck, sqliteRoundTripCheck]
      : [configCheck, reachableCheck, serverAnswersCheck, authCheck, databaseCheck, privilegesCheck, schemaCheck, roundTripCheck, hbaCheck, tlsCheck];
  // Then the path from the browser: the service, httpd in front of it, SELinux around both.
  return [...database, ...serviceChecks, ...httpsChecks, ...httpdChecks, ...selinuxChecks];
}
