/**
 * The queue registry: each queue's payload schema (the one both the enqueuer and the target validate with), and
 * its settings from `queues.json`, the same file the emulator and deploy.sh read.
 */
import { z } from 'zod';
import file from '../queues.json' with { type: 'json' };
import { NotificationPayload } from './schemas/notifications.ts';
import { ReportTask } from './schemas/report-task.ts';

/** Queue name → payload schema. */
export const QUEUE_SCHEMAS = {
  notifications: NotificationPayload,
  reports: ReportTask,
} as const;
export type QueueName = keyof typeof QUEUE_SCHEMAS;

const Duration = z.string().regex(/^\d+(\.\d+)?s$/, 'must be a duration such as "10s"');
export const QueueFile = z.object({
  queues: z.array(
    z.object({
      name: z.string().regex(/^[A-Za-z0-9-]{1,100}$/),
      target: z.string().min(1),
      rateLimits: z.object({
        maxDispatchesPerSecond: z.number().positive().max(500).optional(),
        maxConcurrentDispatches: z.number().int().positive().max(5000).optional(),
      }),
      retryConfig: z.object({
        maxAttempts: z.number().int().min(-1).optional(),
        maxRetryDuration: Duration.optional(),
        minBackoff: Duration.optional(),
        maxBackoff: Duration.optional(),
        maxDoublings: z.number().int().nonnegative().optional(),
      }),
    }),
  ),
});
export type QueueFile = z.infer<typeof QueueFile>;

/** The queue config, parsed. */
export function queueConfig(): QueueFile {
  return QueueFile.parse(file);
}

/** `maxAttempts` of each queue, for `taskTarget`'s last-attempt check (Cloud Tasks' default is 100). */
export function maxAttemptsLookup(config: QueueFile = queueConfig()): (queue: string) => number | undefined {
  const byName = new Map(config.queues.map((q) => [q.name, q.retryConfig.maxAttempts ?? 100]));
  return (queue) => byName.get(queue);
}
