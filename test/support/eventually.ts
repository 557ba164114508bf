/** Polls `fn` until it stops throwing (or returns a value other than `false`); for waiting on asynchronous effects without sleeps. */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  { timeout = 10_000, interval = 25 }: { timeout?: number; interval?: number } = {},
): Promise<Exclude<T, false>> {
  const until = Date.now() + timeout;
  for (;;) {
    let failure: unknown;
    try {
      const v = await fn();
      if (v !== false) return v as Exclude<T, false>;
      failure = new Error('eventually: the condition stayed false');
    } catch (err) {
      failure = err;
    }
    if (Date.now() >= until) throw failure;
    await new Promise((r) => setTimeout(r, interval));
  }
}
