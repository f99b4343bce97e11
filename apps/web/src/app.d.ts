declare global {
  namespace App {
    interface Locals {
      /** Whether this visitor sees who answered and the server's own messages (KDT_DETAILS; see hooks.server.ts). */
      details: boolean;
      /** Set by a load function to answer with this HTTP status while still rendering the page. */
      status?: number;
      /** The database failure a form action just met: the page's load reports it instead of asking again. */
      dbFailure?: import('#lib/server/explain-failure.js').Failure;
    }
  }
}

export {};
