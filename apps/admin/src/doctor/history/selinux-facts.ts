import type { DoctorContext } from '../context.js';
import { deriveNeeds } from '../selinux/needs.js';
import { portLabel } from '../selinux/parse-semanage-ports.js';
import { HTTPD_BOOLEANS } from '../selinux/policy.js';
import { fileContext, httpdSiteFolders, readBooleans, readPorts, selinuxState } from '../selinux/state.js';
import type { Facts } from './run-record.js';

/** SELinux as this run read it: the mode, httpd's booleans, the site port's labels, the labels of the paths that matter. */
export async function selinuxFacts(context: DoctorContext): Promise<Facts> {
  const state = await selinuxState(context);
  if (!state.present) return { 'selinux.mode': 'not present' };
  const facts: Facts = { 'selinux.mode': `${state.mode}${state.config?.mode && state.config.mode !== state.mode ? ` (${state.config.mode} at next boot)` : ''}` };
  if (state.mode === 'disabled') return facts;
  const booleans = await readBooleans(context, HTTPD_BOOLEANS);
  for (const name of HTTPD_BOOLEANS) {
    const value = booleans.values.get(name);
    facts[`selinux.boolean.${name}`] = value ? `${value.current ? 'on' : 'off'}${value.pending !== value.current ? ` (${value.pending ? 'on' : 'off'} at next boot)` : ''}` : null;
  }
  const needs = deriveNeeds(context.site.listen, context.config.target);
  const paths: string[] = [];
  if (needs.httpd.kind === 'tcp') {
    const port = needs.httpd.port;
    const ports = await readPorts(context);
    if (!ports.problem) {
      // The label the policy applies (a local customization wins), as semanage port -a sets it.
      const label = portLabel(ports.all, ports.local, 'tcp', port);
      facts[`selinux.port.${port}`] = `${label.type}${label.local ? ' (a local customization)' : label.record ? '' : ' (no record: the default)'}`;
    }
  } else {
    paths.push(needs.httpd.path, needs.httpd.folder);
  }
  if (needs.database.kind === 'sqlite') paths.push(needs.database.folder);
  paths.push(...httpdSiteFolders(context, needs.httpd).folders);
  for (const path of [...new Set(paths)]) facts[`selinux.label.${path}`] = (await fileContext(context, path)).context;
  return facts;
}
