import { randomBytes } from 'node:crypto';
import pkg from '../../../package.json' with { type: 'json' };

/**
 * The site's version, and a random id made when the site started: two URLs that answer with the
 * same id reach the same site. With WORKERS > 1 the primary process makes the id and gives it to
 * its workers (server.js), so that every worker of one site answers with it.
 */
export const APP = { version: pkg.version, instance: process.env.KIT_DB_TEST_INSTANCE ?? randomBytes(6).toString('hex') } as const;
