/**
 * The timeline of one order, or of one daily-report run, on the local stack, from what each part keeps: Firestore
 * (the deliveries the webhooks noted, the order's statuses, the tasks each event created; a run's document and
 * shards), the tasks emulator's dispatch log (every attempt, with the trace header it carried) and the mail sink's
 * outbox (the email). The console's order and run pages and `npm run trace` show the same timeline.
 */
import { maskEmail } from '../../shared/log.ts';
import type { OrderStatus } from '../../shared/orders.ts';
import { reportTaskKey } from '../../shared/report-shards.ts';
import { taskIdFor } from '../../shared/tasks.ts';
import { parseTraceparent } from '../../shared/trace.ts';
import type { FirestoreData } from './firestore-data.ts';
import type { MailApi, TasksApi } from './upstream.ts';

type Json = Record<string, any>;
export type EntryKind = 'delivery' | 'status' | 'task' | 'attempt' | 'email' | 'report';

export interface TimelineEntry {
  /** ISO time (attempts: the emulator clock's dispatch time). */
  at: string;
  kind: EntryKind;
  text: string;
  /** A task's or an attempt's queue and task id. */
  task?: { queue: string; id: string };
  /** An email's outbox message id. */
  outbox?: string;
  /** An attempt's figures. */
  attempt?: { n: number; status?: number; ms: number; outcome: string; code?: string };
  /**
   * Where the entry sorts when that differs from `at`: an email right after the attempt that sent it (attempts are
   * timed by the emulator's clock, which tests and the console can move on).
   */
  after?: string;
}

export interface Timeline {
  /** `order ord-1001`, `report run 2026-11-30/scheduled`. */
  title: string;
  /** The order's status, or the run's state. */
  state: string;
  /** The journey's trace id; absent for an order recorded before traces were kept, or a run not yet dispatched. */
  traceId?: string;
  entries: TimelineEntry[];
}

export interface TimelineDeps {
  tasks: TasksApi;
  mail: MailApi;
  data: FirestoreData;
}

const short = (name: string): string => name.split('/').pop() ?? name;
const KIND_ORDER: EntryKind[] = ['delivery', 'status', 'task', 'attempt', 'email', 'report'];
const STATUS_OF: Record<string, OrderStatus> = {
  'order.created': 'created',
  'order.shipped': 'shipped',
  'order.completed': 'completed',
  'order.cancelled': 'cancelled',
};
const OUTCOME: Record<string, string> = {
  succeeded: 'done',
  retrying: 'will retry',
  'gave-up': 'given up',
  'task-gone': 'task already gone',
};

const sorted = (entries: TimelineEntry[]): TimelineEntry[] =>
  entries.sort(
    (a, b) =>
      (a.after ?? a.at).localeCompare(b.after ?? b.at) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind),
  );

/** The `code` of a task target's JSON answer (`{"outcome":"retry","code":…}`), if it is one. */
function codeOf(body: string | undefined): string | undefined {
  try {
    const json = JSON.parse(body ?? '') as Json;
    const code = json.code ?? json.error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** One entry per attempt of a task, from the emulator's dispatch log. */
function attemptEntries(records: Json[], label: string): TimelineEntry[] {
  return records.map((r) => {
    const code = codeOf(r.responseBody);
    const answer =
      r.status !== undefined
        ? String(r.status)
        : r.timedOut
          ? 'deadline exceeded'
          : `no answer (${r.error ?? 'connection failed'})`;
    const ms = Math.round(r.latencyMs);
    return {
      at: r.dispatchTime,
      kind: 'attempt',
      text: `${label} attempt ${r.attempt}${r.runTask ? ' (run now)' : ''}: ${answer} in ${ms} ms, ${OUTCOME[r.outcome] ?? r.outcome}${code ? ` (${code})` : ''}`,
      task: { queue: short(r.queue), id: short(r.task) },
      attempt: {
        n: r.attempt,
        ...(r.status !== undefined ? { status: r.status } : {}),
        ms,
        outcome: r.outcome,
        ...(code ? { code } : {}),
      },
    };
  });
}

/** An email, sorted right after the attempt of its task that succeeded (`sentBy`), if there is one. */
function emailEntry(m: Json, sentBy: Json[] = []): TimelineEntry {
  const task = argsOf(m).taskName;
  const done = sentBy.find((r) => r.outcome === 'succeeded' && (!task || short(r.task) === task));
  return {
    at: m.receivedAt,
    ...(done ? { after: done.responseTime } : {}),
    kind: 'email',
    text: `email "${m.subject ?? m.templateId ?? '(no subject)'}" to ${(m.to ?? []).map(maskEmail).join(', ')} in the outbox (${m.id})`,
    outbox: m.id,
  };
}

const argsOf = (m: Json): Json => ({ ...m.request?.custom_args, ...m.request?.personalizations?.[0]?.custom_args });

/** An order's timeline; undefined when Firestore knows nothing of it. */
export async function orderTimeline(d: TimelineDeps, orderId: string): Promise<Timeline | undefined> {
  const { order, events } = await d.data.order(orderId);
  if (!order && !events.length) return undefined;
  const entries: TimelineEntry[] = [];
  const attempts: Json[] = [];
  const traceId = order?.traceId;
  for (const e of events) {
    const notes = await d.data.deliveries(e.eventId);
    if (!notes.length) entries.push({ at: e.receivedAt, kind: 'delivery', text: `${e.type} ${e.eventId} recorded` });
    for (const n of notes) {
      const answer =
        n.answer === 'failed'
          ? `${n.status ?? ''} failed (${n.code ?? 'error'})`
          : `${n.status ?? ''} ${n.answer}`.trim();
      const own = n.traceId && n.traceId !== traceId ? `; its request's own trace ${n.traceId}` : '';
      entries.push({
        at: n.at,
        kind: 'delivery',
        text: `${n.platform} delivered ${e.type} ${e.eventId}${n.deliveryId ? ` (delivery ${n.deliveryId})` : ''}: ${answer}${own}`,
      });
    }
    const status = STATUS_OF[e.type];
    if (status && order?.statusAt[status])
      entries.push({
        at: e.receivedAt,
        kind: 'status',
        text: `status ${status} (at ${order.statusAt[status]} by the storefront's clock)`,
      });
    for (const t of e.tasks ?? []) {
      const records = await d.tasks.dispatches({ task: t.name });
      attempts.push(...records);
      // Created when it was first scheduled (the event is marked enqueued just after, maybe after a first attempt).
      const at = [e.enqueuedAt ?? e.receivedAt, ...records.map((r) => r.scheduleTime as string)].sort()[0]!;
      entries.push({
        at,
        kind: 'task',
        text: `task created on ${short(t.queue)}: ${short(t.name)} (for ${e.eventId})`,
        task: { queue: short(t.queue), id: short(t.name) },
      });
      entries.push(...attemptEntries(records, `${short(t.queue)}/${short(t.name).slice(0, 12)}…`));
    }
  }
  const eventIds = new Set(events.map((e) => e.eventId));
  for (const m of await d.mail.list()) if (eventIds.has(argsOf(m).eventId)) entries.push(emailEntry(m, attempts));
  return {
    title: `order ${orderId}`,
    state: order?.status ?? 'not created yet',
    ...(traceId ? { traceId } : {}),
    entries: sorted(entries),
  };
}

/** A daily-report run's timeline: schedule, each shard step's attempts, the combine, the email. */
export async function runTimeline(d: TimelineDeps, day: string, runName = 'scheduled'): Promise<Timeline | undefined> {
  const { run, shards } = await d.data.run(day, runName);
  if (!run) return undefined;
  const entries: TimelineEntry[] = [
    {
      at: run.createdAt,
      kind: 'task',
      text: `run created by schedule-reports: ${run.hours} shards of ${run.day} (${run.timeZone})`,
    },
  ];
  // The run's tasks: each shard's steps (their ids come from day, run, shard and step), then the email.
  const labels = new Map<string, string>();
  for (const s of shards) {
    for (let step = 0; step <= s.step; step++)
      labels.set(
        taskIdFor('reports', reportTaskKey({ day, run: runName, shard: s.shard, step })),
        `shard ${String(s.shard).padStart(2, '0')} step ${step}`,
      );
  }
  for (let shard = 0; shard < run.hours; shard++) {
    const id = taskIdFor('reports', reportTaskKey({ day, run: runName, shard, step: 0 }));
    if (!labels.has(id)) labels.set(id, `shard ${String(shard).padStart(2, '0')} step 0`);
  }
  if (run.emailTask) labels.set(short(run.emailTask), 'daily-report email');
  const all = await d.tasks.dispatches({});
  const traceOf = (r: Json) => parseTraceparent(r.requestHeaders?.traceparent, '')?.traceId;
  const first = all.find((r) => labels.has(short(r.task)) && traceOf(r));
  const traceId = first ? traceOf(first) : undefined;
  // Every attempt of the run's tasks, and of any other task in the run's trace.
  const mine = all.filter((r) => labels.has(short(r.task)) || (traceId && traceOf(r) === traceId));
  const byTask = new Map<string, Json[]>();
  for (const r of mine) byTask.set(r.task, [...(byTask.get(r.task) ?? []), r]);
  for (const [task, records] of byTask)
    entries.push(
      ...attemptEntries(records, labels.get(short(task)) ?? `${short(records[0]!.queue)}/${short(task).slice(0, 12)}…`),
    );
  if (run.combinedAt)
    entries.push({
      at: run.combinedAt,
      kind: 'report',
      text: `combined: reports/${day} written${run.emailTask ? ', email task created' : ''}`,
    });
  for (const m of await d.mail.list())
    if (argsOf(m).idempotencyKey === `daily-report/${day}`) entries.push(emailEntry(m, mine));
  const done = shards.filter((s) => s.done).length;
  const state = run.combinedAt ? 'combined' : `${done} of ${run.hours} shards done`;
  return { title: `report run ${day}/${runName}`, state, ...(traceId ? { traceId } : {}), entries: sorted(entries) };
}

/** The timeline as text lines, for a terminal. */
export function timelineText(t: Timeline): string[] {
  const width = Math.max(...t.entries.map((e) => e.kind.length), 4);
  return [
    `${t.title} · ${t.state} · trace ${t.traceId ?? '(none recorded)'}`,
    ...t.entries.map((e) => `${e.at.replace('T', ' ')}  ${e.kind.padEnd(width)}  ${e.text}`),
  ];
}
