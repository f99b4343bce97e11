import { pgServers } from '@kit-db-test/testing';
import { postgresBackend } from './support/backends.js';
import { describeSiteBehaviour } from './support/site-behaviour.js';

for (const server of pgServers()) {
  describeSiteBehaviour(`the site on ${server.kind} PostgreSQL ${server.version}`, () => postgresBackend(server));
}
