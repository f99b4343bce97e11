import { sqliteBackend } from './support/backends.js';
import { describeSiteBehaviour } from './support/site-behaviour.js';

describeSiteBehaviour('the site on the embedded SQLite default', sqliteBackend);
