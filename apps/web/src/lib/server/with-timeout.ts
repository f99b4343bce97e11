export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
}

/** Rejects with TimeoutError after `ms`, so a hung database gives an answer instead of a hung request. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Milliseconds since `start` (from performance.now()), rounded to 0.1 ms. */
export function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}
