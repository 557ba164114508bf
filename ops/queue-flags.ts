/**
 * Prints the `gcloud tasks queues create|update` flags of one queue from queues.json, so deploy.sh applies the
 * same settings the emulator and the task targets read: `node ops/queue-flags.ts notifications`.
 */
import { queueConfig } from '../shared/queues.ts';

/** The gcloud flags for queue `name`. */
export function queueFlags(name: string): string[] {
  const q = queueConfig().queues.find((x) => x.name === name);
  if (!q) throw new Error(`No queue "${name}" in queues.json`);
  const { rateLimits: r, retryConfig: c } = q;
  const flag = (f: string, v: number | string | undefined) => (v === undefined ? [] : [`--${f}=${v}`]);
  return [
    ...flag('max-dispatches-per-second', r.maxDispatchesPerSecond),
    ...flag('max-concurrent-dispatches', r.maxConcurrentDispatches),
    ...flag('max-attempts', c.maxAttempts),
    ...flag('max-retry-duration', c.maxRetryDuration),
    ...flag('min-backoff', c.minBackoff),
    ...flag('max-backoff', c.maxBackoff),
    ...flag('max-doublings', c.maxDoublings),
  ];
}

if (import.meta.main) {
  const [name] = process.argv.slice(2);
  if (name === '--list')
    console.log(
      queueConfig()
        .queues.map((q) => `${q.name} ${q.target}`)
        .join('\n'),
    );
  else console.log(queueFlags(name ?? '').join(' '));
}
