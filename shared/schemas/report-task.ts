/**
 * The `reports` queue payloads (one step of one shard of a store-day, or the combine of a run) and the body of
 * `schedule-reports`.
 * Validated by the enqueuing side and again by `aggregate-orders`.
 */
import { z } from 'zod';

/** A run id: names one computation of a day. The default run is `scheduled`; an explicit re-run names another. */
export const RunId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1-40 lowercase letters, digits or -, starting with a letter or digit');

/** A step of a shard: aggregate shard `shard` (hour `shard` of the store-day) from its saved cursor. */
export const ShardTask = z.object({
  combine: z.literal(false).optional(),
  day: z.iso.date(),
  run: RunId,
  /** Hour of the store-day, 0-based (0..24 on a 25-hour day). */
  shard: z.number().int().min(0).max(24),
  /** Continuation index: 0 for the first task of the shard, n for its n-th follow-up. */
  step: z.number().int().min(0).max(1_000_000),
});
export type ShardTask = z.infer<typeof ShardTask>;

/** The combine of a run: merges the shards' parts into `reports/{day}` (enqueued once every shard is done). */
export const CombineTask = z.object({
  combine: z.literal(true),
  day: z.iso.date(),
  run: RunId,
});
export type CombineTask = z.infer<typeof CombineTask>;

/** One task of the `reports` queue: a shard step, or (`"combine": true`) the run's combine. */
export const ReportTask = z.discriminatedUnion('combine', [ShardTask, CombineTask]);
export type ReportTask = z.infer<typeof ReportTask>;

/** The body of `schedule-reports`: `{}` is yesterday in the store time zone; `days` is a backfill. */
export const ScheduleRequest = z
  .object({
    days: z.array(z.iso.date()).min(1, 'must name at least one day').optional(),
    /** An explicit re-run: new task ids, a fresh computation that rewrites `reports/{day}`. @default scheduled */
    run: RunId.optional(),
  })
  .strict();
export type ScheduleRequest = z.infer<typeof ScheduleRequest>;
