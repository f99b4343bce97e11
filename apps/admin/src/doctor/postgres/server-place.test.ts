import { Secret, type PostgresTarget } from '@kit-db-test/schema';
import { describe, expect, it } from 'vitest';
import { placeServer } from './server-place.js';

const target = (host: string): PostgresTarget => ({
  driver: 'postgresql',
  host,
  socket: host.startsWith('/'),
  port: 5432,
  user: 'kdt',
  database: 'kdt',
  password: new Secret('x'),
  sslmode: 'disable',
});

describe('placeServer', () => {
  it('a unix socket, loopback, or an address of this machine is local', () => {
    expect(placeServer(target('/var/run/postgresql'), [], []).local).toBe(true);
    expect(placeServer(target('localhost'), ['::1', '127.0.0.1'], ['10.0.0.5']).local).toBe(true);
    expect(placeServer(target('10.0.0.5'), ['10.0.0.5'], ['127.0.0.1', '10.0.0.5'])).toEqual({ local: true, why: '10.0.0.5 is 10.0.0.5, an address of this machine' });
    expect(placeServer(target('db'), ['::ffff:10.0.0.5'], ['10.0.0.5']).local).toBe(true);
  });
  it('any other address is another host, said with the address the name resolves to', () => {
    expect(placeServer(target('10.0.0.9'), ['10.0.0.9'], ['127.0.0.1', '10.0.0.5'])).toEqual({
      local: false,
      host: '10.0.0.9',
      why: '10.0.0.9 is not an address of this machine: the server runs on another host',
    });
    expect(placeServer(target('db.example'), ['10.0.0.9'], ['10.0.0.5'])).toMatchObject({ local: false, why: 'db.example (10.0.0.9) is not an address of this machine: the server runs on another host' });
    expect(placeServer(target('db.example'), [], ['10.0.0.5'])).toMatchObject({ local: false, why: 'db.example does not resolve here: not taken as this machine' });
  });
});
