declare global {
  namespace App {
    interface Locals {
      /** Set by a load function to answer with this HTTP status while still rendering the page. */
      status?: number;
      /** The database failure a form action just met: the page's load reports it instead of asking again. */
      dbFailure?: import('#lib/server/explain-failure.js').Failure;
    }
  }
}

export {};
