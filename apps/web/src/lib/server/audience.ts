// Set by server.js on each request, from KDT_DETAILS and who the visitor is (server/visitor.js):
// a property of the Node request, which no header a client sends can set.
const SHOWS_DETAILS = Symbol.for('kit-db-test.shows-details');

/**
 * Whether this request's visitor may see who answered (server version, database, user, socket,
 * profile, files) and the server's own messages. Served without server.js, nobody may.
 */
export function showsDetails(platform: Readonly<App.Platform> | undefined): boolean {
  const req = platform?.req as unknown as Record<symbol, unknown> | undefined;
  return req?.[SHOWS_DETAILS] === true;
}
