import type { Handle, HandleServerError } from '@sveltejs/kit/hooks';
import { maskUrlPasswords } from '@kit-db-test/schema';
import { showsDetails } from '#lib/server/audience.js';

/**
 * A page whose database is down still renders (with its explanation), but answers 503 so that
 * monitoring and httpd see the failure. SvelteKit has no setStatus: the load sets locals.status.
 */
export const handle: Handle = async ({ event, resolve }) => {
  event.locals.details = showsDetails(event.platform);
  const response = await resolve(event);
  const status = event.locals.status;
  if (status && !event.isDataRequest && response.status === 200) {
    return new Response(response.body, { status, headers: response.headers });
  }
  return response;
};

/** Never a stack trace (nor anything it might contain) in a response: a short message; the log has the rest. */
export const handleError: HandleServerError = ({ kind, error, event }) => {
  if (kind === 'unknown') {
    console.error(`error on ${event.request.method} ${event.url.pathname}: ${maskUrlPasswords(error instanceof Error ? error.message : String(error))}`);
    return { message: 'Internal error: the server log has the details.' };
  }
  return undefined;
};
