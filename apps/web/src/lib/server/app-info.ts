import { randomBytes } from 'node:crypto';
import pkg from '../../../package.json' with { type: 'json' };

/** The site's version, and a random id made when this process started: two URLs that answer with
 * the same id reach the same process. */
export const APP = { version: pkg.version, instance: randomBytes(6).toString('hex') } as const;
