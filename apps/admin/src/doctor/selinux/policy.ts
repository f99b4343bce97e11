/**
 * What the targeted policy lets httpd (httpd_t) do, as far as this app needs it. Each fact names
 * the rule it comes from in the policy sources (fedora-selinux/selinux-policy, which RHEL's
 * selinux-policy package is built from): policy/modules/contrib/apache.te (httpd's rules),
 * policy/modules/kernel/corenetwork.te.in (port labels), policy/modules/system/unconfined.te.
 */

/** A boolean that lets httpd_t connect to every TCP port (apache.te: tunable_policy(`httpd_can_network_connect', corenet_tcp_connect_all_ports(httpd_t))). */
export const CONNECT_ANY_PORT = 'httpd_can_network_connect';

/**
 * nis_enabled lets every domain that looks up users through NSS (auth_use_nsswitch, which httpd_t
 * uses) connect to all ports (nis.if: nis_use_ypbind → tunable_policy(`nis_enabled', …)). It is
 * for NIS clients; the doctor reports it but never proposes it.
 */
export const NIS_ENABLED = 'nis_enabled';

/**
 * httpd_t may name_connect to a port of these types when one of the booleans is on; to no port
 * unconditionally (apache.te has no corenet_tcp_connect_* for httpd_t outside tunable_policy).
 */
export const HTTPD_CONNECT_BOOLEANS: Record<string, string[]> = {
  // tunable_policy(`httpd_graceful_shutdown', corenet_tcp_connect_http_port(httpd_t)) and the relay block
  http_port_t: ['httpd_graceful_shutdown', 'httpd_can_network_relay'],
  // tunable_policy(`httpd_can_network_relay', … corenet_tcp_connect_{gopher,ftp,http,http_cache,squid,memcache}_port …)
  http_cache_port_t: ['httpd_can_network_relay'],
  squid_port_t: ['httpd_can_network_relay'],
  gopher_port_t: ['httpd_can_network_relay'],
  ftp_port_t: ['httpd_can_network_relay', 'httpd_can_connect_ftp'],
  memcache_port_t: ['httpd_can_network_relay', 'httpd_can_network_memcache'],
  ephemeral_port_t: ['httpd_can_network_relay', 'httpd_can_connect_ftp'],
  redis_port_t: ['httpd_can_network_redis'],
  ldap_port_t: ['httpd_can_connect_ldap'],
  zabbix_port_t: ['httpd_can_connect_zabbix'],
  smtp_port_t: ['httpd_can_sendmail'],
  // tunable_policy(`httpd_can_network_connect_db', postgresql_tcp_connect(httpd_t)) and the other databases
  postgresql_port_t: ['httpd_can_network_connect_db'],
  mysqld_port_t: ['httpd_can_network_connect_db'],
  mssql_port_t: ['httpd_can_network_connect_db'],
  oracle_port_t: ['httpd_can_network_connect_db'],
  mongod_port_t: ['httpd_can_network_connect_db'],
};

/** Every boolean the doctor reads. */
export const HTTPD_BOOLEANS = [
  CONNECT_ANY_PORT,
  'httpd_graceful_shutdown',
  'httpd_can_network_relay',
  'httpd_can_network_connect_db',
  NIS_ENABLED,
];

/** The one type to give the site's port: httpd_t may connect to it with the narrowest boolean. */
export const SITE_PORT_TYPE = 'http_port_t';

/** What each boolean opens, for the report. */
export const BOOLEAN_SCOPE: Record<string, string> = {
  httpd_can_network_connect: 'every TCP port, on any host',
  httpd_graceful_shutdown: 'only ports labelled http_port_t (80, 81, 443, 488, 8008, 8009, 8443, 9000 and any you add)',
  httpd_can_network_relay: 'the http, http_cache, squid, ftp, gopher and memcache ports and every ephemeral port (32768-60999)',
  httpd_can_network_connect_db: 'the database ports (postgresql_port_t 5432, mysqld_port_t 3306 …)',
  nis_enabled: 'every port, for NIS clients',
};

/**
 * Socket files httpd_t may write (connecting to a unix socket needs write on the sock_file):
 * apache.te manage_sock_files_pattern(httpd_t, httpd_var_run_t / httpd_tmp_t / httpd_tmpfs_t, …).
 * httpd_var_run_t is the one for a service's socket folder (apache.fc labels /run/httpd.*, /run/mod_.*).
 */
export const HTTPD_SOCKET_FILE_TYPES = ['httpd_var_run_t', 'httpd_tmp_t', 'httpd_tmpfs_t'];
export const SITE_SOCKET_TYPE = 'httpd_var_run_t';

/**
 * Domains httpd_t may connectto over a unix stream socket: itself, its script domains
 * (apache.te: allow httpd_t httpd_script_type:unix_stream_socket connectto) and the servers
 * apache.te names with *_stream_connect (postgresql, mysqld, redis, memcached …). Not
 * unconfined_service_t, the domain systemd gives a service started from a bin_t program such as
 * /usr/bin/node: unconfined.if has unconfined_server_stream_connectto, apache.te does not use it.
 */
export const HTTPD_CONNECTTO_DOMAINS = ['httpd_t', 'httpd_sys_script_t', 'httpd_user_script_t', 'httpd_unconfined_script_t', 'postgresql_t', 'mysqld_t', 'redis_t', 'memcached_t'];

/** Types whose files httpd_t reads: apache.te read_files_pattern(httpd_t, httpd_sys_content_t, …), httpd_builtin_scripting's httpd_content_type, miscfiles_read_public_files(httpd_t). */
export const HTTPD_READABLE_TYPES = ['httpd_sys_content_t', 'httpd_sys_rw_content_t', 'httpd_sys_ra_content_t', 'public_content_t', 'public_content_rw_t'];
/** Types whose files httpd_t (and its scripts) write, with httpd_builtin_scripting (on by default, dist/targeted/booleans.conf). */
export const HTTPD_WRITABLE_TYPES = ['httpd_sys_rw_content_t'];

/** Domains SELinux does not confine: no label matters for what they read and write. */
export const isUnconfined = (domain: string): boolean => /^unconfined(_service)?_t$/.test(domain) || domain === 'initrc_t' || domain === 'kernel_t';

/** PostgreSQL's data files (postgresql.fc labels /var/lib/pgsql/data(/.*)? postgresql_db_t). */
export const POSTGRES_DATA_TYPE = 'postgresql_db_t';
export const POSTGRES_PORT_TYPE = 'postgresql_port_t';

/** The CIL one-liner for a local module that allows exactly one rule (semodule(8) -i accepts .cil). */
export function cilModule(name: string, rule: string): string {
  return `printf '%s\\n' '${rule}' > ${name}.cil && semodule -i ${name}.cil`;
}
