import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from './loopback.js';

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST:3000', '127.0.0.1', '127.0.0.1:3000', '127.8.9.10:80', '[::1]', '[::1]:3000'])('%s is a loopback name', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['evil.example', 'evil.example:3000', 'localhost.evil.example', '127.0.0.1.nip.io', '10.0.0.1:3000', '[::2]:3000', '::1', '', undefined, '127.0.0.1:3000:1'])(
    '%s is not',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});
