export { Stuff, STUFF_MAX_LENGTH, SUBMISSION_KEY_LENGTH, THINGS_MAX_LENGTH, type StuffRow } from './entity/stuff.js';
export { ConfigError } from './config/config-error.js';
export {
  parseDatabaseUrl,
  displayTarget,
  describeEndpoint,
  DEFAULT_SOCKET_DIR,
  type DatabaseTarget,
  type PostgresTarget,
  type SqliteTarget,
  type SslMode,
} from './config/database-url.js';
export { ENVIRONMENT_VARIABLES, readEnvironment, type Environment } from './config/environment.js';
export {
  loadConfig,
  DEFAULT_SQLITE_URL,
  DEFAULT_POOL_MAX,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type LoadConfigOptions,
  type ResolvedConfig,
} from './config/load-config.js';
export { describeConfig, type ConfigDescription, type DescribedSetting } from './config/describe-config.js';
export { profileSchema, type ProfileFile } from './config/profile-schema.js';
export { findProjectRoot } from './config/project-root.js';
export { Secret, MASK } from './config/secret.js';
export { maskDatabaseUrl, maskUrlPasswords } from './config/mask-url.js';
export { sourceText, type ValueSource } from './config/sources.js';
export { tlsOptions } from './orm/tls-options.js';
export { createOrm, APPLICATION_NAME, type Orm, type CreateOrmOptions } from './orm/create-orm.js';
export { findOverlongThings, type OverlongThings } from './orm/overlong-things.js';
export { withSchemaLock, type RunStatements, type SchemaLockOptions } from './orm/schema-lock.js';
export { classifyDatabaseError, type DatabaseFailure, type FailureKind } from './errors/classify-database-error.js';
export { makePrivateFolder, privatizeEmptyFile, PRIVATE_FOLDER_MODE } from './files/private-files.js';
