import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from './secret.js';

describe('Secret', () => {
  const secret = new Secret('hunter2');

  it('prints as the mask in every way a value turns into text', () => {
    expect(`${secret}`).toBe('********');
    expect(JSON.stringify({ password: secret })).toBe('{"password":"********"}');
    expect(inspect({ password: secret })).not.toContain('hunter2');
  });

  it('gives the value only through reveal()', () => {
    expect(secret.reveal()).toBe('hunter2');
  });
});
