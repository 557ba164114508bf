/** The settings of the two report functions (see docs/daily-reports.md). */
import { z } from 'zod';
import { url } from './config.ts';
import { Email, Locale } from './schemas/money.ts';
import { isTimeZone, parseWindow } from './store-time.ts';

/** What schedule-reports needs. */
export const ScheduleEnv = z.object({
  /** The store's IANA time zone: store-days, hours and the window are in it. @default UTC */
  STORE_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
  /** The off-peak window the shard tasks are spread over, store time. @default 02:00-05:00 */
  REPORTS_WINDOW: z
    .string()
    .refine((w) => {
      try {
        parseWindow(w);
        return true;
      } catch {
        return false;
      }
    }, 'must be HH:MM-HH:MM in store time, e.g. 02:00-05:00')
    .default('02:00-05:00'),
  /** Most days one backfill call may name. @default 31 */
  REPORTS_MAX_BACKFILL_DAYS: z.coerce.number().int().min(1).max(366).default(31),
  /** URL of aggregate-orders, and the OIDC audience it expects (default: the URL). */
  AGGREGATE_ORDERS_URL: url,
  AGGREGATE_ORDERS_AUDIENCE: z.string().min(1).optional(),
  /** Dispatch deadline of the shard tasks, seconds (Cloud Tasks allows 15..1800). @default 600 */
  REPORTS_DISPATCH_DEADLINE_SECONDS: z.coerce.number().int().min(15).max(1800).default(600),
});

/** What aggregate-orders needs. */
export const AggregateEnv = z.object({
  AGGREGATE_ORDERS_URL: url,
  AGGREGATE_ORDERS_AUDIENCE: z.string().min(1).optional(),
  SEND_NOTIFICATION_URL: url,
  SEND_NOTIFICATION_AUDIENCE: z.string().min(1).optional(),
  /** Orders per Firestore query. @default 1000 */
  REPORTS_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Reading time per task before a shard continues in a follow-up task, seconds. @default 240 */
  REPORTS_TASK_BUDGET_SECONDS: z.coerce.number().min(0).max(1500).default(240),
  REPORTS_DISPATCH_DEADLINE_SECONDS: z.coerce.number().int().min(15).max(1800).default(600),
  /** Who gets the daily-report email (comma- or semicolon-separated); unset: the report is written, no email. */
  REPORTS_EMAIL_TO: z
    .string()
    .transform((s) =>
      s
        .split(/[,;]/)
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(Email).max(50))
    .default([]),
  /** Locale of the email (money and dates). @default the template's */
  REPORTS_EMAIL_LOCALE: Locale.optional(),
});
