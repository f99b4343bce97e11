/**
 * The small outputs and files that say whether SELinux runs and how. Pure: no I/O.
 *
 * - /etc/selinux/config: `SELINUX=enforcing|permissive|disabled`, `SELINUXTYPE=targeted` (selinux_config(5))
 * - /sys/fs/selinux/enforce: "1" enforcing, "0" permissive (selinuxfs; what getenforce(8) reads)
 * - getenforce(8): "Enforcing", "Permissive" or "Disabled"
 * - sestatus(8): "SELinux status:                 enabled", "Current mode:                   enforcing" …
 * - /sys/fs/selinux/booleans/NAME: "current pending", e.g. "1 1" (what security_get_boolean_active(3) reads)
 * - getsebool(8): "httpd_can_network_connect --> off", with " pending: on" when a change awaits commit
 * - stat -c %C PATH: the context; ls -Zd PATH: "system_u:object_r:httpd_sys_content_t:s0 /var/www/html"
 * - matchpathcon(8): "PATH\tsystem_u:object_r:var_t:s0", the label the policy's file contexts give PATH
 */

export type SelinuxMode = 'enforcing' | 'permissive' | 'disabled';

export interface SelinuxConfig {
  mode: SelinuxMode | null;
  /** 1-based line of SELINUX= (the last one counts) */
  modeLine: number | null;
  policy: string | null;
}

export function parseSelinuxConfig(text: string): SelinuxConfig {
  const config: SelinuxConfig = { mode: null, modeLine: null, policy: null };
  text.split('\n').forEach((raw, i) => {
    const m = /^\s*(SELINUX|SELINUXTYPE)\s*=\s*"?([^"#\s]*)"?/.exec(raw);
    if (!m) return;
    if (m[1] === 'SELINUX') {
      const mode = m[2]!.toLowerCase();
      config.mode = mode === 'enforcing' || mode === 'permissive' || mode === 'disabled' ? mode : null;
      config.modeLine = i + 1;
    } else config.policy = m[2] || null;
  });
  return config;
}

export function parseEnforceFile(text: string): SelinuxMode | null {
  const v = text.trim();
  return v === '1' ? 'enforcing' : v === '0' ? 'permissive' : null;
}

export function parseGetenforce(text: string): SelinuxMode | null {
  const v = text.trim().toLowerCase();
  return v === 'enforcing' || v === 'permissive' || v === 'disabled' ? v : null;
}

/** sestatus(8) as "label" → value, labels lower-cased without the colon. */
export function parseSestatus(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(.*\S)\s*$/.exec(line);
    if (m) out.set(m[1]!.trim().toLowerCase(), m[2]!);
  }
  return out;
}

export interface BooleanValue {
  current: boolean;
  pending: boolean;
}

export function parseBooleanFile(text: string): BooleanValue | null {
  const m = /^\s*([01])\s+([01])\s*$/.exec(text);
  return m ? { current: m[1] === '1', pending: m[2] === '1' } : null;
}

export function parseGetsebool(text: string): Map<string, BooleanValue> {
  const out = new Map<string, BooleanValue>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+-->\s+(on|off)(?:\s+pending:\s+(on|off))?\s*$/.exec(line.trim());
    if (m) out.set(m[1]!, { current: m[2] === 'on', pending: (m[3] ?? m[2]) === 'on' });
  }
  return out;
}

/** The context in `stat -c %C`, `ls -Zd` or `matchpathcon` output (the first user:role:type:level word). */
export function parseFileContext(text: string): string | null {
  for (const word of text.split(/\s+/)) {
    if (/^[^:\s/]+:[^:\s]+:[^:\s]+_t(?::\S+)?$/.test(word)) return word;
  }
  return null;
}
