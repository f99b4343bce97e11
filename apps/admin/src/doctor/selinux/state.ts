/**
 * What the SELinux checks read from the system: files through context.files (under --root),
 * programs through context.commands. Each read is done once per doctor run (memoized on the
 * context) and says where its answer came from, for the report's evidence.
 */
import type { CommandResult } from '../command-runner.js';
import type { DoctorContext } from '../context.js';
import { SITE_UNIT } from '../site/site-settings.js';
import { SUBS_DIST, runSpellingFromRelease, runSpellingFromSubs, type RunSpelling } from './fcontext-rule.js';
import type { HttpdNeed } from './needs.js';
import { parseAuditLog, parseContext, type AvcRecord } from './parse-avc.js';
import { proxiesToSite, servedFolders } from './parse-httpd-conf.js';
import { parseSemanagePorts, type PortRecord } from './parse-semanage-ports.js';
import {
  parseBooleanFile,
  parseEnforceFile,
  parseFileContext,
  parseGetenforce,
  parseGetsebool,
  parseSelinuxConfig,
  parseSestatus,
  type BooleanValue,
  type SelinuxConfig,
  type SelinuxMode,
} from './parse-status.js';

const memos = new WeakMap<object, Map<string, Promise<unknown>>>();

function memo<T>(context: DoctorContext, key: string, compute: () => Promise<T>): Promise<T> {
  let table = memos.get(context);
  if (!table) memos.set(context, (table = new Map()));
  if (!table.has(key)) table.set(key, compute());
  return table.get(key) as Promise<T>;
}

const ran = (r: CommandResult) => r.error === undefined && r.code === 0;
const why = (r: CommandResult) => r.error ?? (r.stderr.trim().split('\n')[0] || `exit ${r.code}`);

export const CONFIG_PATH = '/etc/selinux/config';
export const SELINUXFS = '/sys/fs/selinux';

export interface SelinuxState {
  /** SELinux is part of this system: its file system is mounted, its configuration or its tools exist */
  present: boolean;
  /** the mode now; 'disabled' when present but not running */
  mode: SelinuxMode | null;
  /** where the mode came from: "/sys/fs/selinux/enforce: 1", "getenforce: Enforcing" */
  modeSource: string;
  /** /etc/selinux/config, if read */
  config: SelinuxConfig | null;
  /** the loaded (or configured) policy: targeted, mls, minimum */
  policy: string | null;
  /** what was looked at, for the report */
  evidence: string[];
}

export function selinuxState(context: DoctorContext): Promise<SelinuxState> {
  return memo(context, 'state', async () => {
    const { files, commands } = context;
    const evidence: string[] = [];
    const configRead = files.read(CONFIG_PATH);
    const config = 'text' in configRead ? parseSelinuxConfig(configRead.text) : null;
    if (config?.mode) evidence.push(`${CONFIG_PATH}:${config.modeLine}: SELINUX=${config.mode}${config.policy ? `, SELINUXTYPE=${config.policy}` : ''} (the mode at next boot)`);
    else if ('error' in configRead && configRead.error !== 'ENOENT') evidence.push(`${CONFIG_PATH}: cannot read (${configRead.error})`);

    let mode: SelinuxMode | null = null;
    let modeSource = '';
    let policy = config?.policy ?? null;
    const enforce = files.read(`${SELINUXFS}/enforce`);
    if ('text' in enforce) {
      mode = parseEnforceFile(enforce.text);
      if (mode) modeSource = `${SELINUXFS}/enforce: ${enforce.text.trim()}`;
    }
    const mounted = files.exists(SELINUXFS);
    let toolsSay = false;
    if (!mode) {
      const getenforce = await commands.run('getenforce', []);
      if (ran(getenforce) && parseGetenforce(getenforce.stdout)) {
        mode = parseGetenforce(getenforce.stdout);
        modeSource = `getenforce: ${getenforce.stdout.trim()}`;
        toolsSay = true;
      }
    }
    if (!mode || !policy) {
      const sestatus = await commands.run('sestatus', []);
      if (ran(sestatus)) {
        const s = parseSestatus(sestatus.stdout);
        const status = s.get('selinux status');
        const current = s.get('current mode');
        if (!mode && status === 'disabled') {
          mode = 'disabled';
          modeSource = 'sestatus: SELinux status: disabled';
        } else if (!mode && (current === 'enforcing' || current === 'permissive')) {
          mode = current;
          modeSource = `sestatus: Current mode: ${current}`;
        }
        policy = policy ?? s.get('loaded policy name') ?? null;
        toolsSay = toolsSay || status !== undefined;
      }
    }
    if (!mode && (config || mounted)) {
      // Configured, but selinuxfs is not mounted: the kernel runs without SELinux (selinux=0, or SELINUX=disabled at boot).
      mode = 'disabled';
      modeSource = `${SELINUXFS} is not mounted`;
    }
    const present = mode !== null && (config !== null || mounted || toolsSay);
    if (modeSource) evidence.unshift(`mode now: ${mode} (${modeSource})`);
    if (!present) evidence.push(`no ${SELINUXFS}, no ${CONFIG_PATH}, no getenforce or sestatus`);
    return { present, mode: present ? mode : null, modeSource, config, policy, evidence };
  });
}

/**
 * How this release spells /run in `semanage fcontext` rules: the policy's file_contexts.subs_dist
 * says it; os-release (Fedora 40, RHEL 10 inverted it) when that cannot be read; else unknown,
 * and the fix decides on the machine it runs on.
 */
export function runSpelling(context: DoctorContext): Promise<{ spelling: RunSpelling; source: string }> {
  return memo(context, 'run-spelling', async () => {
    const { policy } = await selinuxState(context);
    const file = SUBS_DIST(policy ?? 'targeted');
    const subs = context.files.read(file);
    const fromSubs = 'text' in subs ? runSpellingFromSubs(subs.text) : null;
    if (fromSubs) return { spelling: fromSubs, source: file };
    const release = context.files.read('/etc/os-release');
    if ('text' in release) {
      const field = (key: string) => new RegExp(`^${key}="?([^"\n]*)"?$`, 'm').exec(release.text)?.[1] ?? null;
      const fromRelease = runSpellingFromRelease(field('ID'), field('VERSION_ID'));
      if (fromRelease) return { spelling: fromRelease, source: `/etc/os-release (${field('ID')} ${field('VERSION_ID')})` };
    }
    return { spelling: null, source: 'unknown' };
  });
}

export interface Booleans {
  values: Map<string, BooleanValue>;
  /** "/sys/fs/selinux/booleans", "getsebool" */
  source: string;
  /** booleans that could be read neither way */
  missing: string[];
}

/** Booleans from /sys/fs/selinux/booleans/NAME ("current pending"), else `getsebool NAME …`. */
export function readBooleans(context: DoctorContext, names: string[]): Promise<Booleans> {
  return memo(context, `booleans:${names.join(',')}`, async () => {
    const values = new Map<string, BooleanValue>();
    const sources = new Set<string>();
    for (const name of names) {
      const read = context.files.read(`${SELINUXFS}/booleans/${name}`);
      const value = 'text' in read ? parseBooleanFile(read.text) : null;
      if (value) {
        values.set(name, value);
        sources.add(`${SELINUXFS}/booleans`);
      }
    }
    const rest = names.filter((n) => !values.has(n));
    if (rest.length > 0) {
      const result = await context.commands.run('getsebool', rest);
      // getsebool stops at the first boolean the policy does not define: read what it printed.
      for (const [name, value] of parseGetsebool(result.stdout)) {
        if (rest.includes(name)) {
          values.set(name, value);
          sources.add('getsebool');
        }
      }
    }
    return { values, source: [...sources].join(' and ') || 'nothing', missing: names.filter((n) => !values.has(n)) };
  });
}

export interface Ports {
  all: PortRecord[];
  local: PortRecord[];
  /** null when the labels were read; else why not */
  problem: string | null;
}

/** `semanage port -l` and its local customizations `semanage port -l -C`. */
export function readPorts(context: DoctorContext): Promise<Ports> {
  return memo(context, 'ports', async () => {
    const all = await context.commands.run('semanage', ['port', '-l']);
    if (!ran(all)) {
      const problem = all.error === 'ENOENT' ? 'semanage is not installed (dnf install policycoreutils-python-utils)' : `semanage port -l: ${why(all)}`;
      return { all: [], local: [], problem };
    }
    const local = await context.commands.run('semanage', ['port', '-l', '-C']);
    return { all: parseSemanagePorts(all.stdout), local: ran(local) ? parseSemanagePorts(local.stdout) : [], problem: null };
  });
}

/** A file's context: `stat -c %C PATH`, else `ls -Zd PATH`; null with the reason when neither answers. */
export function fileContext(context: DoctorContext, path: string): Promise<{ context: string | null; problem: string | null }> {
  return memo(context, `context:${path}`, async () => {
    const stat = await context.commands.run('stat', ['-c', '%C', path]);
    const fromStat = ran(stat) ? parseFileContext(stat.stdout) : null;
    if (fromStat) return { context: fromStat, problem: null };
    const ls = await context.commands.run('ls', ['-Zd', path]);
    const fromLs = ran(ls) ? parseFileContext(ls.stdout) : null;
    if (fromLs) return { context: fromLs, problem: null };
    return { context: null, problem: why(ran(stat) ? ls : stat) };
  });
}

/** The label the policy's file contexts give PATH (what restorecon would set): `matchpathcon PATH`. */
export function defaultFileContext(context: DoctorContext, path: string): Promise<string | null> {
  return memo(context, `default:${path}`, async () => {
    const r = await context.commands.run('matchpathcon', [path]);
    return ran(r) ? parseFileContext(r.stdout) : null;
  });
}

/** The site's domain: its service's main process (`systemctl show`), then /proc/PID/attr/current or `ps -o label=`. */
export function siteDomain(context: DoctorContext): Promise<{ type: string; source: string } | null> {
  return memo(context, 'site-domain', async () => {
    const show = await context.commands.run('systemctl', ['show', '--property', 'MainPID', '--value', SITE_UNIT]);
    const pid = ran(show) ? Number(show.stdout.trim()) : 0;
    if (!pid) return null;
    const attr = context.files.read(`/proc/${pid}/attr/current`);
    const fromProc = 'text' in attr ? parseContext(attr.text) : null;
    if (fromProc) return { type: fromProc.type, source: `/proc/${pid}/attr/current of ${SITE_UNIT}'s main process` };
    const ps = await context.commands.run('ps', ['-o', 'label=', '-p', String(pid)]);
    const fromPs = ran(ps) ? parseContext(ps.stdout) : null;
    return fromPs ? { type: fromPs.type, source: `ps -o label= -p ${pid} (${SITE_UNIT}'s main process)` } : null;
  });
}

export const AUDIT_LOG = '/var/log/audit/audit.log';
/** Denials older than this before the newest audit record are history, not the problem at hand. */
export const RECENT_SECONDS = 24 * 3600;

export interface Denials {
  denials: AvcRecord[];
  /** "/var/log/audit/audit.log (denials of the 24 hours before its last record)" */
  source: string;
  /** null when read; else why not */
  problem: string | null;
  /** no audit log and no ausearch: auditd is not installed */
  noAuditd: boolean;
}

/** AVC denials: /var/log/audit/audit.log, else `ausearch -m AVC,USER_AVC -ts recent` (the last 10 minutes). */
export function readDenials(context: DoctorContext): Promise<Denials> {
  return memo(context, 'denials', async () => {
    const log = context.files.readTail(AUDIT_LOG);
    if ('text' in log) {
      const all = parseAuditLog(log.text);
      const stamps = log.text.match(/audit\((\d+(?:\.\d+)?):\d+\)/g) ?? [];
      const newest = Math.max(0, ...stamps.map((s) => Number(/\(([\d.]+):/.exec(s)![1])));
      return { denials: all.filter((d) => d.time >= newest - RECENT_SECONDS), source: `${AUDIT_LOG} (the 24 hours before its last record)`, problem: null, noAuditd: false };
    }
    const ausearch = await context.commands.run('ausearch', ['-m', 'AVC,USER_AVC', '-ts', 'recent']);
    // ausearch answers 1 and "<no matches>" on stderr when nothing matched.
    if (ausearch.error === undefined && (ausearch.code === 0 || /no matches/.test(ausearch.stderr))) {
      return { denials: parseAuditLog(ausearch.stdout), source: 'ausearch -m AVC,USER_AVC -ts recent (the last 10 minutes)', problem: null, noAuditd: false };
    }
    const reason = `${AUDIT_LOG}: ${log.error}; ausearch: ${why(ausearch)}`;
    return { denials: [], source: 'nothing', problem: reason, noAuditd: log.error === 'ENOENT' && ausearch.error === 'ENOENT' };
  });
}

/** httpd's own configuration: the main file and conf.d (RHEL's layout). */
export const HTTPD_CONF = ['/etc/httpd/conf/httpd.conf'];
export const HTTPD_CONF_DIR = '/etc/httpd/conf.d';

/**
 * The folders httpd serves itself in the configuration files that proxy to the site (the site's
 * virtual host): their files are read by httpd_t.
 */
export function httpdSiteFolders(context: DoctorContext, site: HttpdNeed): { folders: string[]; evidence: string[] } {
  const files = [...HTTPD_CONF, ...context.files.list(HTTPD_CONF_DIR).filter((f) => f.endsWith('.conf')).map((f) => `${HTTPD_CONF_DIR}/${f}`)];
  const folders: string[] = [];
  const evidence: string[] = [];
  for (const file of files) {
    const read = context.files.read(file);
    if (!('text' in read) || !proxiesToSite(read.text, site)) continue;
    for (const served of servedFolders(read.text)) {
      if (!folders.includes(served.path)) folders.push(served.path);
      evidence.push(`${file}:${served.line}: ${served.directive} ${served.path} (httpd serves these files itself)`);
    }
  }
  return { folders, evidence };
}
