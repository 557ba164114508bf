/** The queue config file (`queues.json`): one entry per queue with Cloud Tasks' own REST field names. */
import { readFileSync } from 'node:fs';
import type { ApiContext } from './api-context.ts';
import { updateQueue } from './api-queues.ts';

/** One queue of the file. `name` is a queue id (or a full queue name); `target` is ignored by the emulator. */
export interface QueueFileEntry {
  name: string;
  target?: string;
  rateLimits?: { maxDispatchesPerSecond?: number; maxConcurrentDispatches?: number };
  retryConfig?: {
    maxAttempts?: number;
    maxRetryDuration?: string;
    minBackoff?: string;
    maxBackoff?: string;
    maxDoublings?: number;
  };
}

/** Reads `{ "queues": [...] }` from `file`. */
export function readQueuesFile(file: string): QueueFileEntry[] {
  let doc: { queues?: unknown };
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read queue config ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(doc.queues)) throw new Error(`Queue config ${file} must be {"queues": [...]}.`);
  return doc.queues as QueueFileEntry[];
}

/** Creates or updates each queue (rateLimits and retryConfig replaced, unset fields at defaults; state kept). */
export function applyQueues(ctx: ApiContext, entries: QueueFileEntry[]): string[] {
  return entries.map((e) => {
    const name = e.name.includes('/') ? e.name : `projects/${ctx.project}/locations/${ctx.location}/queues/${e.name}`;
    try {
      updateQueue(
        ctx,
        name,
        { rateLimits: e.rateLimits ?? {}, retryConfig: e.retryConfig ?? {} },
        'rateLimits,retryConfig',
      );
    } catch (err) {
      throw new Error(`Queue "${e.name}" in the queue config: ${(err as Error).message}`, { cause: err });
    }
    return name;
  });
}
