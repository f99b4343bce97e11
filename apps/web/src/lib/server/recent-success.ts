/** A result and how old it is: 0 when this call did the work. */
export interface Recent<T> {
  value: T;
  ageMs: number;
}

/**
 * Wraps `work` so that a success is answered from memory for `ttlMs`, and callers that arrive
 * while the work runs share that one run instead of starting their own. A failure is never
 * remembered: the next call tries again, so a database that breaks (or recovers) shows at once.
 * Memory is per `key` (the ORM: a new configuration starts afresh). `now` is injectable for tests.
 */
export function rememberSuccess<K extends object, T>(
  ttlMs: number,
  work: (key: K) => Promise<T>,
  now: () => number = () => performance.now(),
): (key: K) => Promise<Recent<T>> {
  let kept: { key: K; at: number; value: T } | undefined;
  let running: { key: K; promise: Promise<T> } | undefined;
  return async (key) => {
    const t = now();
    if (kept && kept.key === key && t - kept.at < ttlMs) return { value: kept.value, ageMs: t - kept.at };
    let current = running;
    if (current?.key !== key) {
      current = { key, promise: work(key) };
      running = current;
      const started = current;
      started.promise.then(
        (value) => {
          if (running === started) running = undefined;
          kept = { key, at: now(), value };
        },
        () => {
          if (running === started) running = undefined;
        },
      );
    }
    return { value: await current.promise, ageMs: 0 };
  };
}
