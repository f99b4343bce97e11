import { isIP } from 'node:net';
import type { PostgresTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { resolveAll } from './probe-socket.js';
import { ownAddresses, placeServer, type ServerPlace } from './server-place.js';

const cache = new WeakMap<DoctorContext, Promise<ServerPlace>>();

/** Where the configured server runs (this machine or another host), found once per doctor run. */
export function locateServer(context: DoctorContext): Promise<ServerPlace> {
  let place = cache.get(context);
  if (!place) {
    const target = context.config.target as PostgresTarget;
    place = (async () => {
      if (target.socket) return placeServer(target, [], []);
      const resolved = isIP(target.host) ? [target.host] : await resolveAll(target.host, context.timeoutMs);
      return placeServer(target, Array.isArray(resolved) ? resolved : [], ownAddresses());
    })();
    cache.set(context, place);
  }
  return place;
}
