/**
 * What the targeted policy lets httpd (httpd_t) and systemd (init_t) do, as far as this app needs
 * it: one table per kind of access. Every row quotes the rule it rests on as `sesearch -A` prints
 * it from RHEL 9's targeted policy (selinux-policy 38.1.46, RHEL 9's default booleans), or the
 * `seinfo`/`matchpathcon` answer. Rows are the policy's, not the project's wishes: a type or
 * boolean missing here is one the policy does not have for that access.
 */

/** A boolean that lets httpd_t connect to every TCP port. */
export const CONNECT_ANY_PORT = 'httpd_can_network_connect';
/** For NIS clients: opens unlabelled, ephemeral and below-1024 port types, never proposed as a fix. */
export const NIS_ENABLED = 'nis_enabled';

/**
 * Port-type attributes the rules name, as sesearch prints them. `reserved_port_type` is not
 * listed type by type: corenetwork gives it to every type declared with a port below 1024
 * (http_port_t's 80 among them), so it is derived from the policy's port records
 * ({@link isReservedPortType}). `ephemeral_port_type` holds these (`seinfo -a ephemeral_port_type -x`).
 */
export const EPHEMERAL_PORT_TYPES = ['ephemeral_port_t', 'certmaster_port_t', 'cluster_port_t', 'hadoop_datanode_port_t', 'hplip_port_t', 'isns_port_t', 'postgrey_port_t'];
export const RESERVED_CATCH_ALLS = ['reserved_port_t', 'hi_reserved_port_t'];

export interface ConnectRule {
  /** the rule's target set: port types, or the attributes port_type, reserved_port_type, ephemeral_port_type */
  opens: string[];
  /** null: unconditional */
  boolean: string | null;
  /** the rule, as `sesearch -A` prints it */
  rule: string;
}

const rule = (opens: string[], boolean: string | null, source = 'httpd_t'): ConnectRule => ({
  opens,
  boolean,
  rule: `allow ${source} ${opens.length === 1 ? opens[0] : `{${opens.join(' ')}}`}:tcp_socket name_connect;${boolean ? ` [ ${boolean} ]:True` : ''}`,
});

/** `sesearch -A -s httpd_t -c tcp_socket -p name_connect` (httpd_t is also an nsswitch_domain). */
export const HTTPD_CONNECT_RULES: ConnectRule[] = [
  rule(['http_port_t'], 'httpd_graceful_shutdown'),
  rule(['http_port_t', 'http_cache_port_t', 'squid_port_t', 'ftp_port_t', 'gopher_port_t', 'memcache_port_t', 'ephemeral_port_type'], 'httpd_can_network_relay'),
  rule(['port_type'], CONNECT_ANY_PORT),
  rule(['port_t', 'portmap_port_t', 'reserved_port_type', 'unreserved_port_t', 'ephemeral_port_t'], NIS_ENABLED, 'nsswitch_domain'),
  rule(['postgresql_port_t', 'mysqld_port_t', 'mssql_port_t', 'oracle_port_t', 'mongod_port_t', 'gds_db_port_t'], 'httpd_can_network_connect_db'),
  rule(['ftp_port_t', 'ephemeral_port_t'], 'httpd_can_connect_ftp'),
  rule(['memcache_port_t'], 'httpd_can_network_memcache'),
  rule(['ldap_port_t'], 'httpd_can_connect_ldap'),
  rule(['zabbix_port_t'], 'httpd_can_connect_zabbix'),
  rule(['smtp_port_t', 'pop_port_t'], 'httpd_can_sendmail'),
  rule(['ephemeral_port_type'], 'httpd_use_openstack'),
  rule(['kerberos_port_t', 'ocsp_port_t'], 'kerberos_enabled', 'nsswitch_domain'),
  rule(['dns_port_t', 'dnssec_port_t'], null, 'nsswitch_domain'),
];

/** `sesearch -A -s httpd_t -c tcp_socket -p name_bind`: the port types httpd may listen on, unconditionally. */
export const HTTPD_BIND_TYPES = ['http_port_t', 'http_cache_port_t', 'ntop_port_t', 'jboss_management_port_t', 'jboss_messaging_port_t', 'puppet_port_t'];

/** `seinfo -b -x` on RHEL 9: the default of each boolean the rules above name. */
export const BOOLEAN_DEFAULTS: Record<string, boolean> = {
  httpd_can_network_connect: false,
  httpd_can_network_connect_db: false,
  httpd_can_network_relay: false,
  httpd_graceful_shutdown: false,
  nis_enabled: false,
  httpd_can_connect_ftp: false,
  httpd_can_network_memcache: false,
  httpd_can_connect_ldap: false,
  httpd_can_connect_zabbix: false,
  httpd_can_sendmail: false,
  httpd_use_openstack: false,
  kerberos_enabled: true,
  httpd_builtin_scripting: true,
};

/** Every boolean the connect rules depend on: what the doctor reads. */
export const HTTPD_BOOLEANS = [...new Set(HTTPD_CONNECT_RULES.flatMap((r) => (r.boolean ? [r.boolean] : [])))];

/** The one type to give the site's port: httpd_t may connect to it with the narrowest boolean. */
export const SITE_PORT_TYPE = 'http_port_t';
/** The narrowest boolean that opens {@link SITE_PORT_TYPE}: http_port_t only (one sesearch rule). */
export const SITE_PORT_BOOLEAN = 'httpd_graceful_shutdown';

/** What each boolean opens, for the report. */
export const BOOLEAN_SCOPE: Record<string, string> = {
  httpd_can_network_connect: 'every TCP port, on any host',
  httpd_graceful_shutdown: 'only ports labelled http_port_t (80, 81, 443, 488, 8008, 8009, 8443, 9000 and any you add)',
  httpd_can_network_relay: 'the http, http_cache, squid, ftp, gopher and memcache ports and every ephemeral port (32768-60999)',
  httpd_can_network_connect_db: 'the database ports (postgresql_port_t 5432, mysqld_port_t 3306 …)',
  nis_enabled: 'unlabelled ports, ephemeral ports and port types below 1024 (http_port_t among them), for NIS clients; not ntop_port_t 3000',
};

/**
 * The policy's TCP port records (`seinfo --portcon`, as `semanage port -l` prints them) for the types
 * this app meets, and the catch-alls. Ops render uses them to choose `semanage port -a` or `-m`
 * without a machine to ask; the doctor reads the machine's own `semanage port -l`.
 */
export const POLICY_TCP_PORTS: { type: string; ranges: [number, number][] }[] = [
  { type: 'http_port_t', ranges: [[80, 80], [81, 81], [443, 443], [488, 488], [8008, 8008], [8009, 8009], [8443, 8443], [9000, 9000]] },
  { type: 'http_cache_port_t', ranges: [[8080, 8080], [8118, 8118], [8123, 8123], [10001, 10010]] },
  { type: 'ntop_port_t', ranges: [[3000, 3001]] },
  { type: 'postgresql_port_t', ranges: [[5432, 5432], [9898, 9898]] },
  { type: 'reserved_port_t', ranges: [[1, 511]] },
  { type: 'hi_reserved_port_t', ranges: [[512, 1023]] },
  { type: 'unreserved_port_t', ranges: [[61000, 65535], [1024, 32767]] },
  { type: 'ephemeral_port_t', ranges: [[32768, 60999]] },
];

/**
 * Socket files httpd_t may write (connecting to a unix socket needs write on the sock_file):
 * `allow httpd_t httpd_var_run_t:sock_file { … write };`, likewise httpd_tmp_t and httpd_tmpfs_t;
 * no rule for var_run_t. httpd_var_run_t is the one for a service's socket folder.
 */
export const HTTPD_SOCKET_FILE_TYPES = ['httpd_var_run_t', 'httpd_tmp_t', 'httpd_tmpfs_t'];
export const SITE_SOCKET_TYPE = 'httpd_var_run_t';

/**
 * Domains httpd_t may connectto over a unix stream socket (`sesearch -A -s httpd_t -c
 * unix_stream_socket -p connectto`): itself and its script domains, the servers it talks to, and
 * system services (e.g. `allow httpd_t init_t:unix_stream_socket { connectto … };`). Not
 * unconfined_service_t, the domain systemd gives a service started from a bin_t or usr_t program.
 */
export const HTTPD_CONNECTTO_DOMAINS = [
  'httpd_t',
  'httpd_sys_script_t',
  'httpd_user_script_t',
  'httpd_unconfined_script_t',
  'postgresql_t',
  'mysqld_t',
  'redis_t',
  'memcached_t',
  'init_t',
  'sssd_t',
  'system_dbusd_t',
  'dirsrv_t',
  'gssproxy_t',
  'slapd_t',
  'systemd_socket_proxyd_t',
  'thin_t',
];

/**
 * Types whose files httpd_t reads: `allow httpd_t httpd_sys_content_t:file { … read };` and the
 * same for the rw/ra content types and the public content types; also usr_t, etc_t and var_lib_t
 * (so /usr/share needs no label). var_t is not readable.
 */
export const HTTPD_READABLE_TYPES = ['httpd_sys_content_t', 'httpd_sys_rw_content_t', 'httpd_sys_ra_content_t', 'public_content_t', 'public_content_rw_t', 'usr_t', 'etc_t', 'var_lib_t'];
/** `allow httpd_t httpd_sys_rw_content_t:file { … write … }; [ httpd_builtin_scripting ]:True` (on by default). */
export const HTTPD_WRITABLE_TYPES = ['httpd_sys_rw_content_t'];

/** `unconfined_domain_type` holds these: no label matters for what they read and write. */
export const UNCONFINED_DOMAINS = ['unconfined_t', 'unconfined_service_t', 'initrc_t', 'kernel_t'];
export const isUnconfined = (domain: string): boolean => UNCONFINED_DOMAINS.includes(domain);

/**
 * How systemd (init_t) starts a program, by the program's file type:
 * `type_transition init_t bin_t:process unconfined_service_t;` and the same for usr_t (both are
 * entrypoints of unconfined_service_t); lib_t runs but stays init_t; var_t has no `execute` for
 * init_t at all, so the unit fails with status 203/EXEC. `matchpathcon`: /usr/bin, /usr/local/bin
 * and /opt/…/bin are bin_t; a copy under /srv is var_t.
 */
export const SERVICE_ENTRY: Record<string, { runs: string | null; rule: string }> = {
  bin_t: { runs: 'unconfined_service_t', rule: 'type_transition init_t bin_t:process unconfined_service_t;' },
  usr_t: { runs: 'unconfined_service_t', rule: 'type_transition init_t usr_t:process unconfined_service_t;' },
  lib_t: { runs: 'init_t', rule: 'allow init_t lib_t:file { execute … }; (no type_transition: it stays init_t)' },
  var_t: { runs: null, rule: 'no allow rule gives init_t execute on var_t files' },
};
/** The type to give a program systemd starts: runs unconfined_service_t, as /usr/bin programs do. */
export const SERVICE_PROGRAM_TYPE = 'bin_t';

/** PostgreSQL's data files (`matchpathcon /var/lib/pgsql/data`: postgresql_db_t). */
export const POSTGRES_DATA_TYPE = 'postgresql_db_t';
export const POSTGRES_PORT_TYPE = 'postgresql_port_t';

/** The CIL one-liner for a local module that allows exactly one rule (semodule(8) -i accepts .cil). */
export function cilModule(name: string, rule: string): string {
  return `printf '%s\\n' '${rule}' > ${name}.cil && semodule -i ${name}.cil`;
}

/** A port type is a reserved_port_type when the policy declares it with a port below 1024 (its catch-alls included). */
export function isReservedPortType(type: string, policyRanges: { type: string; low: number }[]): boolean {
  return RESERVED_CATCH_ALLS.includes(type) || policyRanges.some((r) => r.type === type && r.low < 1024);
}

/** The connect rules that let httpd_t reach a port of `type`. */
export function connectRulesFor(type: string, policyRanges: { type: string; low: number }[]): ConnectRule[] {
  const inSet = (name: string) =>
    name === type || name === 'port_type' || (name === 'reserved_port_type' && isReservedPortType(type, policyRanges)) || (name === 'ephemeral_port_type' && EPHEMERAL_PORT_TYPES.includes(type));
  return HTTPD_CONNECT_RULES.filter((r) => r.opens.some(inSet));
}

/** The policy's records as PortRecords, for code that takes `semanage port -l`'s shape. */
export function policyPortRecords(): { type: string; proto: string; low: number; high: number }[] {
  return POLICY_TCP_PORTS.flatMap(({ type, ranges }) => ranges.map(([low, high]) => ({ type, proto: 'tcp', low, high })));
}
