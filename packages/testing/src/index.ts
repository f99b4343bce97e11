export { pgServers, type PgServer } from './postgres/servers.js';
export { startPostgres, DEFAULT_HBA, type PgCluster, type StartPostgresOptions, type ConnectAs } from './postgres/cluster.js';
export { APP_DATABASE, APP_ROLE, SUPERUSER } from './postgres/template.js';
export { tempProject, type TempProject } from './project.js';
export { query } from './postgres/query.js';
export { startSite, type Site } from './site.js';
export { freePort } from './postgres/free-port.js';
export { startApache, privateApacheConfig, type Apache, type StartApacheOptions } from './apache.js';
export { buildSite } from './build-site.js';
