import type { DoctorContext } from '../context.js';
import type { Check } from '../types.js';
import { selinuxDenialsCheck, selinuxFileContextsCheck, selinuxHttpdConnectCheck, selinuxStatusCheck } from './checks.js';

/**
 * The SELinux checks, in dependency order: whether SELinux runs and how, whether httpd may reach
 * the site (its TCP port or unix socket), the file labels that matter here, and recent denials
 * explained. Without SELinux every one is skipped, never failed.
 */
export const selinuxChecks: Check<DoctorContext>[] = [selinuxStatusCheck, selinuxHttpdConnectCheck, selinuxFileContextsCheck, selinuxDenialsCheck];

export { selinuxDenialsCheck, selinuxFileContextsCheck, selinuxHttpdConnectCheck, selinuxStatusCheck };
export { deriveNeeds, evaluateSocket, evaluateTcpConnect } from './needs.js';
