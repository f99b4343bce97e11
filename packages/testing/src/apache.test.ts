import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startApache } from './apache.js';

describe('startApache', () => {
  it('runs a private apache2 on a loopback port that proxies to a backend, and stops it', async () => {
    const backend = createServer((req, res) => res.end(`backend saw ${req.url} proto=${req.headers['x-forwarded-proto']}`));
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const port = (backend.address() as { port: number }).port;
    try {
      const apache = await startApache({
        site: `ProxyPass /app http://127.0.0.1:${port}/app retry=0\nRequestHeader set X-Forwarded-Proto "https"\n`,
      });
      try {
        const response = await fetch(`${apache.origin}/app/x`);
        expect(await response.text()).toBe('backend saw /app/x proto=https');
      } finally {
        await apache.stop();
      }
      await expect(fetch(`${apache.origin}/app/x`)).rejects.toThrow();
    } finally {
      backend.close();
    }
  });
});
