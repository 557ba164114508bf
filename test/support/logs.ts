/**
 * The functions under test log as on Cloud Run: one JSON entry per line on stdout (shared/log.ts). While captured,
 * those lines are kept here, for tests that read them, instead of reaching the test output (where a CRITICAL entry
 * of an expected last attempt reads like a failure); any other write passes through.
 */
export interface CapturedLogs {
  /** Every entry written since the capture started, in order. */
  entries(): Record<string, unknown>[];
  /** The same, as written. */
  lines(): string[];
  /** Forgets what was kept so far (a test reads only its own lines). */
  clear(): void;
  /** Gives stdout back. */
  stop(): void;
}

const ENTRY = /^\{"severity":"(DEBUG|INFO|NOTICE|WARNING|ERROR|CRITICAL)"/;

export function captureLogs(): CapturedLogs {
  const real = process.stdout.write;
  const kept: string[] = [];
  process.stdout.write = function (this: unknown, chunk: string | Uint8Array, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (ENTRY.test(text)) {
      kept.push(...text.split('\n').filter(Boolean));
      return true;
    }
    return (real as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
  } as typeof process.stdout.write;
  return {
    entries: () => kept.map((l) => JSON.parse(l) as Record<string, unknown>),
    lines: () => [...kept],
    clear: () => void (kept.length = 0),
    stop: () => void (process.stdout.write = real),
  };
}
