import { describe, expect, it } from 'vitest';
import { rememberSuccess } from './recent-success.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('rememberSuccess', () => {
  const key = {};

  it('answers from memory within the time to live, with the age, and works again after it', async () => {
    let clock = 1000;
    let runs = 0;
    const get = rememberSuccess(500, async () => ++runs, () => clock);
    expect(await get(key)).toEqual({ value: 1, ageMs: 0 });
    clock += 300;
    expect(await get(key)).toEqual({ value: 1, ageMs: 300 });
    clock += 200;
    expect(await get(key)).toEqual({ value: 2, ageMs: 0 });
  });

  it('shares one run between the callers that arrive while it runs', async () => {
    const pending = deferred<string>();
    let runs = 0;
    const get = rememberSuccess(500, () => (runs++, pending.promise), () => 0);
    const both = Promise.all([get(key), get(key)]);
    pending.resolve('probe');
    expect(await both).toEqual([{ value: 'probe', ageMs: 0 }, { value: 'probe', ageMs: 0 }]);
    expect(runs).toBe(1);
  });

  it('never remembers a failure: every caller of the failed run sees it, the next call tries again', async () => {
    const attempts = [deferred<string>(), deferred<string>()];
    let runs = 0;
    const get = rememberSuccess(500, () => attempts[runs++]!.promise, () => 0);
    const first = Promise.allSettled([get(key), get(key)]);
    attempts[0]!.reject(new Error('permission denied for table stuff'));
    expect((await first).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const second = get(key);
    attempts[1]!.resolve('ok');
    expect(await second).toEqual({ value: 'ok', ageMs: 0 });
    expect(runs).toBe(2);
  });

  it('keeps memory per key: another ORM (a new configuration) is asked afresh', async () => {
    let runs = 0;
    const get = rememberSuccess(500, async (k: { name: string }) => `${k.name} ${++runs}`, () => 0);
    expect((await get({ name: 'a' })).value).toBe('a 1');
    expect((await get({ name: 'b' })).value).toBe('b 2');
  });
});
