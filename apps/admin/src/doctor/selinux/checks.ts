import type { DoctorContext } from '../context.js';
import { fail, pass, skip, warn, type Check, type CheckOutcome } from '../types.js';
import { SITE_UNIT } from '../site/site-settings.js';
import { explainDenial, isServiceStartDenial, type PolicyFacts } from './explain.js';
import { labelFolderCommand } from './fcontext-rule.js';
import { deriveNeeds, evaluateSocket, evaluateTcpConnect, type Verdict } from './needs.js';
import type { AvcRecord } from './parse-avc.js';
import { HTTPD_BOOLEANS, HTTPD_READABLE_TYPES, HTTPD_WRITABLE_TYPES, isUnconfined } from './policy.js';
import { CONFIG_PATH, defaultFileContext, fileContext, httpdSiteFolders, readBooleans, readDenials, readPorts, runSpelling, selinuxState, siteDomain } from './state.js';

/** Every SELinux check starts here: on a machine without SELinux, or with it disabled, it skips itself (never fails). */
async function notApplicable(context: DoctorContext): Promise<CheckOutcome | null> {
  const state = await selinuxState(context);
  if (!state.present) return skip('SELinux not present', state.evidence);
  if (state.mode === 'disabled') return skip('SELinux disabled', state.evidence);
  return null;
}

/** In permissive mode nothing is blocked: what would fail is a warning ("would be blocked when enforcing"). */
async function verdictOutcome(context: DoctorContext, verdict: Verdict, extra: string[] = []): Promise<CheckOutcome> {
  const evidence = [...verdict.evidence, ...extra];
  if (verdict.allowed) return pass(verdict.summary, evidence);
  const { mode } = await selinuxState(context);
  if (mode === 'permissive') return warn(`${verdict.summary}: would be blocked when enforcing`, evidence, verdict.fix);
  return fail(verdict.summary, evidence, verdict.fix);
}

export const selinuxStatusCheck: Check<DoctorContext> = {
  id: 'selinux.status',
  title: 'SELinux',
  async run(context) {
    const state = await selinuxState(context);
    if (!state.present) return skip('SELinux not present', state.evidence);
    const evidence = [...state.evidence];
    if (state.policy && state.policy !== 'targeted') evidence.push(`policy ${state.policy}: the doctor's port and boolean facts are the targeted policy's`);
    const configured = state.config?.mode ?? null;
    const persist = `sed -i 's/^SELINUX=.*/SELINUX=enforcing/' ${CONFIG_PATH}`;
    if (state.mode === 'disabled') {
      if (configured && configured !== 'disabled') evidence.push(`the next boot runs it ${configured} (and relabels every file first): run the doctor again then`);
      return skip('SELinux disabled', evidence);
    }
    if (state.mode === 'permissive') {
      return warn('permissive: denials are logged, nothing is blocked', evidence, [`once the checks below pass: setenforce 1 && ${persist}`]);
    }
    if (configured && configured !== 'enforcing') {
      return warn(`enforcing now, ${configured} after the next boot`, evidence, [persist]);
    }
    return pass(`enforcing${state.policy ? ` (${state.policy} policy)` : ''}`, evidence);
  },
};

export const selinuxHttpdConnectCheck: Check<DoctorContext> = {
  id: 'selinux.httpd_connect',
  title: 'SELinux lets httpd reach the site',
  needs: ['selinux.status'],
  async run(context) {
    const off = await notApplicable(context);
    if (off) return off;
    const needs = deriveNeeds(context.site.listen, context.config.target);
    const booleans = await readBooleans(context, HTTPD_BOOLEANS);
    const info: string[] = [];
    for (const { boolean, why } of needs.notNeeded) {
      const value = booleans.values.get(boolean);
      if (value && !value.current) info.push(`${boolean} is off, and not needed: ${why}`);
      else if (value?.current) info.push(`${boolean} is on, but not needed: ${why}`);
    }
    if (needs.httpd.kind === 'tcp') {
      const port = needs.httpd.port;
      if (booleans.missing.length === HTTPD_BOOLEANS.length) {
        return warn(`cannot read httpd's booleans (${booleans.missing.join(', ')})`, [`neither ${'/sys/fs/selinux/booleans'} nor getsebool answered`], ['run the doctor as root']);
      }
      const ports = await readPorts(context);
      const verdict = evaluateTcpConnect(port, ports.all, ports.local, booleans.values);
      if (ports.problem) {
        // Without the port labels only a boolean that opens every port can be judged.
        if (verdict.allowed) return pass(verdict.summary, [...verdict.evidence, `port labels unknown: ${ports.problem}`, ...info]);
        const on = HTTPD_BOOLEANS.filter((b) => booleans.values.get(b)?.current);
        return warn(`cannot tell whether httpd may connect to port ${port}: ${ports.problem}`, [`booleans (${booleans.source}): ${on.length > 0 ? `${on.join(', ')} on, the others off` : `all off (${HTTPD_BOOLEANS.join(', ')})`}`, ...info], [
          `dnf install policycoreutils-python-utils, then pnpm admin doctor again`,
        ]);
      }
      return verdictOutcome(context, verdict, [`booleans from ${booleans.source}`, ...info]);
    }
    const { path, folder } = needs.httpd;
    const socket = await fileContext(context, path);
    const dir = await fileContext(context, folder);
    const domain = await siteDomain(context);
    const { spelling } = await runSpelling(context);
    const verdict = evaluateSocket({ path, socketContext: socket.context, folderContext: dir.context, siteDomain: domain, runSpelling: spelling });
    return verdictOutcome(context, verdict, info);
  },
};

/** The paths whose labels matter here, and the types that work for each. */
interface LabelNeed {
  path: string;
  what: string;
  /** types that work */
  ok: string[];
  /** the type to give it */
  type: string;
}

export const selinuxFileContextsCheck: Check<DoctorContext> = {
  id: 'selinux.file_contexts',
  title: 'SELinux file labels',
  needs: ['selinux.status'],
  async run(context) {
    const off = await notApplicable(context);
    if (off) return off;
    const needs = deriveNeeds(context.site.listen, context.config.target);
    const evidence: string[] = [];
    const labelNeeds: LabelNeed[] = [];

    // The site's own files (the SQLite file and its folder) matter only if the site runs confined.
    const domain = await siteDomain(context);
    if (needs.database.kind === 'sqlite') {
      if (!domain) evidence.push(`the site's domain is unknown (is ${SITE_UNIT} running?); started by systemd from /usr/bin/node it is unconfined_service_t, and SELinux then does not restrict its SQLite file`);
      else if (isUnconfined(domain.type)) evidence.push(`the site runs as ${domain.type} (${domain.source}): SELinux does not restrict the files it writes, so ${needs.database.folder} needs no label`);
      else if (domain.type.startsWith('httpd_')) {
        labelNeeds.push({ path: needs.database.folder, what: `the SQLite folder (the site runs as ${domain.type})`, ok: HTTPD_WRITABLE_TYPES, type: HTTPD_WRITABLE_TYPES[0]! });
      } else {
        evidence.push(`the site runs confined as ${domain.type} (${domain.source}): which types it may write is that policy's; selinux.denials shows what it was refused`);
      }
    }

    // Files httpd serves itself: DocumentRoot and Alias folders of the httpd configuration that proxies to the site.
    const served = httpdSiteFolders(context, needs.httpd);
    evidence.push(...served.evidence);
    for (const path of served.folders) labelNeeds.push({ path, what: 'served by httpd directly', ok: HTTPD_READABLE_TYPES, type: 'httpd_sys_content_t' });

    if (labelNeeds.length === 0) return pass('no file label matters for this deployment', evidence);
    const wrong: string[] = [];
    const fix: string[] = [];
    for (const need of labelNeeds) {
      const label = await fileContext(context, need.path);
      if (!label.context) {
        evidence.push(`${need.path} (${need.what}): cannot read its label (${label.problem})`);
        continue;
      }
      const type = label.context.split(':')[2] ?? '';
      if (need.ok.includes(type)) {
        evidence.push(`${need.path} (${need.what}) is ${label.context}`);
        continue;
      }
      wrong.push(need.path);
      const expected = await defaultFileContext(context, need.path);
      const expectedType = expected?.split(':')[2];
      evidence.push(`${need.path} (${need.what}) is ${label.context}; it needs ${need.ok.join(' or ')}${expected ? `; the policy's file contexts say ${expected} (matchpathcon)` : ''}`);
      // A file moved with mv keeps its old label: restorecon alone fixes it when the policy already says the right type.
      fix.push(expectedType && need.ok.includes(expectedType) ? `restorecon -Rv ${need.path}` : labelFolderCommand(need.path, need.type, (await runSpelling(context)).spelling));
    }
    if (wrong.length === 0) return pass('the files that matter are labelled right', evidence);
    const { mode } = await selinuxState(context);
    const summary = `wrong label on ${wrong.join(', ')}`;
    return mode === 'permissive' ? warn(`${summary}: would be blocked when enforcing`, evidence, fix) : fail(summary, evidence, fix);
  },
};

/** The app's processes: httpd, the site (also systemd failing to start it), PostgreSQL. */
function concernsApp(d: AvcRecord, site: string | null): boolean {
  return (
    ['httpd_t', 'httpd_sys_script_t', 'postgresql_t'].includes(d.stype) ||
    (site !== null && d.stype === site) ||
    ['httpd', 'postgres', 'postmaster', 'node'].includes(d.comm ?? '') ||
    isServiceStartDenial(d)
  );
}

/** The program of ExecStart= (systemd.service(5): after its optional "-@:+!" prefixes). */
const execProgram = (execStart: string | null): string | null => execStart?.trim().replace(/^[-@:+!]+/, '').split(/\s+/)[0] || null;

const when = (t: number) => new Date(t * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

export const selinuxDenialsCheck: Check<DoctorContext> = {
  id: 'selinux.denials',
  title: 'SELinux denials',
  needs: ['selinux.status'],
  async run(context) {
    const off = await notApplicable(context);
    if (off) return off;
    const read = await readDenials(context);
    if (read.noAuditd) return skip('no audit log (auditd is not installed)', [read.problem ?? '', 'without auditd the kernel log has the denials: journalctl -k | grep "avc: "']);
    if (read.problem) return warn('cannot read the audit log', [read.problem], ['run the doctor as root (the audit log is readable by root only)']);
    const domain = await siteDomain(context);
    const mine = read.denials.filter((d) => concernsApp(d, domain?.type ?? null));
    const others = read.denials.length - mine.length;
    const tail = [`read ${read.source}`, ...(others > 0 ? [`${others} other denial${others === 1 ? '' : 's'}, not of httpd, the site or PostgreSQL`] : [])];
    if (mine.length === 0) return pass('no recent denials for httpd, the site or PostgreSQL', tail);

    // The same denial repeats (every request): one line each, with how often and when last.
    const groups = new Map<string, AvcRecord[]>();
    for (const d of mine) {
      const key = [d.stype, d.permissions.join(' '), d.tclass, d.ttype, d.dest ?? d.src ?? d.path ?? d.name].join('|');
      groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    const ports = await readPorts(context);
    const booleans = await readBooleans(context, HTTPD_BOOLEANS);
    const facts: PolicyFacts = {
      ports: ports.all,
      localPorts: ports.local,
      booleans: booleans.values,
      siteDomain: domain?.type ?? null,
      runSpelling: (await runSpelling(context)).spelling,
      serviceProgram: execProgram(context.site.unit?.execStart ?? null),
    };
    const { mode } = await selinuxState(context);
    const evidence: string[] = [];
    const fix: string[] = [];
    let blocked = 0;
    let logged = 0;
    for (const group of groups.values()) {
      const last = group[group.length - 1]!;
      const e = explainDenial(last, facts);
      // permissive=1: allowed and logged (permissive mode, or a permissive domain); without the field, the mode says.
      const permissive = last.permissive ?? mode === 'permissive';
      if (e.fix.length === 0) {
        evidence.push(`${e.plain}, ${group.length}×, last ${when(last.time)}${e.note ? `: ${e.note}` : ''}`);
        continue;
      }
      if (permissive) logged++;
      else blocked++;
      evidence.push(`${e.plain}${permissive ? ' (permissive: allowed and logged, would be blocked when enforcing)' : ''}, ${group.length}×, last ${when(last.time)}${e.note ? `: ${e.note}` : ''}`);
      evidence.push(`  ${last.raw}`);
      for (const f of e.fix) if (!fix.includes(f)) fix.push(f);
    }
    evidence.push(...tail);
    if (blocked > 0) return fail(`${blocked} kind${blocked === 1 ? '' : 's'} of access blocked${logged > 0 ? `, ${logged} more logged only` : ''}`, evidence, fix);
    if (logged > 0) return warn(`${logged} kind${logged === 1 ? '' : 's'} of access would be blocked when enforcing`, evidence, fix);
    return pass('the recent denials are fixed already', evidence);
  },
};
