/**
 * The wall-clock limit a test holds a configured bound to (a timeout the product promises, e.g.
 * /health's 2 s): the bound plus half of it, and at least a second. The tests share two cores with
 * databases, httpd, browsers and builds; the margin absorbs that scheduling delay, and stays well
 * short of what a missing bound costs (a hang until the client gives up).
 */
export function withMargin(boundMs: number): number {
  return boundMs + Math.max(1000, boundMs / 2);
}

/**
 * Polls `probe` every 20 ms until it returns a value other than undefined, and resolves with it;
 * rejects after `ms`, naming `what`. For state that has no event to wait on (/proc, a table).
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
