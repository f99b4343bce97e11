declare global {
  namespace App {
    interface Locals {
      /** Set by a load function to answer with this HTTP status while still rendering the page. */
      status?: number;
    }
  }
}

export {};
