import { HTTPD_BOOLEANS } from '../selinux/policy.js';

// httpd reaches the site, never the database (the site does, in its own process): the
// database boolean does not bear on it.
const HTTPD_CONNECT_BOOLEANS = HTTPD_BOOLEANS.filter((b) => b !== 'httpd_can_network_connect_db').map((b) => `selinux.boolean.${b}`);

/**
 * Which facts each check rests on: a change "explains" a check that turned from failing to
 * passing when its key starts with one of the check's prefixes. Facts no check lists (the site's
 * answer, the login's outcome) are observations: they say that something changed, not what.
 */
export const CHECK_FACTS: Record<string, string[]> = {
  'config.valid': ['config.'],
  'pg.reachable': ['config.target', 'pg.setting.listen_addresses', 'pg.setting.port'],
  'pg.server': ['config.target', 'pg.setting.listen_addresses', 'pg.setting.port', 'pg.setting.ssl'],
  // password_encryption is left out: it decides how the next password is stored, not this login.
  'pg.auth': ['config.', 'pg.hba.rules', 'pg.hba.file', 'pg.role.', 'secret.password_file', 'site.env.DATABASE_'],
  'pg.database': ['config.target', 'pg.database'],
  'pg.privileges': ['pg.role.', 'pg.table.'],
  'pg.schema': ['pg.table.'],
  'pg.roundtrip': ['pg.table.', 'pg.role.'],
  'pg.hba': ['pg.hba.'],
  'sqlite.folder': ['config.target', 'sqlite.'],
  'sqlite.space': ['sqlite.'],
  'sqlite.file': ['config.target', 'sqlite.'],
  'sqlite.private': ['sqlite.'],
  'sqlite.schema': ['sqlite.'],
  'sqlite.roundtrip': ['sqlite.'],
  'service.unit': ['site.unit'],
  'service.health': ['site.unit', 'site.env.', 'selinux.'],
  'service.public': ['site.env.', 'httpd.', 'selinux.'],
  'fs.secrets': ['secret.'],
  'httpd.installed': ['httpd.files'],
  'httpd.config_test': ['httpd.'],
  'httpd.modules': ['httpd.modules'],
  'httpd.proxy': ['httpd.', 'site.env.'],
  'httpd.error_log': ['httpd.', 'selinux.'],
  'selinux.status': ['selinux.mode'],
  'selinux.httpd_connect': ['selinux.mode', 'selinux.port.', 'selinux.label.', ...HTTPD_CONNECT_BOOLEANS, 'site.env.PORT', 'site.env.HOST', 'site.env.SOCKET_PATH'],
  'selinux.file_contexts': ['selinux.label.', 'selinux.mode'],
  'selinux.denials': ['selinux.mode', 'selinux.port.', 'selinux.label.', ...HTTPD_CONNECT_BOOLEANS],
};

/** Does this fact key bear on this check? */
export function bearsOn(checkId: string, key: string): boolean {
  return (CHECK_FACTS[checkId] ?? []).some((prefix) => key === prefix || (/[._]$/.test(prefix) && key.startsWith(prefix)));
}
