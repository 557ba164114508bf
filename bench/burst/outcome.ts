/**
 * The end state of a burst, read from the stack itself: the notifications queue (drained or not), the outbox on
 * disk (one file per accepted email, with the event id and kind it was sent for) and the dead letters in Firestore.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackInfo } from '../../local/stack-file.ts';
import type { EmailKind, ExpectedEmail } from './plan.ts';

export interface SentEmail {
  eventId: string;
  kind: string;
  /** Epoch ms the mail sink accepted it. */
  at: number;
}

export interface KindOutcome {
  expected: number;
  /** Confirmations of cancelled orders: none or one is right. */
  optional: number;
  sent: number;
  missing: number;
  duplicated: number;
}

export interface BurstOutcome {
  byKind: Record<EmailKind, KindOutcome>;
  missing: number;
  duplicated: number;
  /** Emails for events that are not in the plan (none expected). */
  unexpected: number;
  deadLetters: number;
  /** Event ids missing or duplicated (the first 20), to look them up. */
  examples: string[];
}

/** Resolves once the notifications queue holds no task; `poll` runs before each look (e.g. to advance a test clock). */
export async function waitDrained(
  info: StackInfo,
  o: { poll?: () => Promise<void>; intervalMs?: number; timeoutMs?: number } = {},
): Promise<void> {
  const url = `${info.tasksEmulator.url}/v2/${info.tasksEmulator.queues.notifications!.path}/tasks?pageSize=1`;
  const until = Date.now() + (o.timeoutMs ?? 3_600_000);
  for (;;) {
    await o.poll?.().catch(() => {});
    // While the emulator restarts the request fails: look again.
    const tasks = await fetch(url, { signal: AbortSignal.timeout(10_000) }).then(
      async (r) => (r.ok ? (((await r.json()) as { tasks?: unknown[] }).tasks ?? []) : undefined),
      () => undefined,
    );
    if (tasks?.length === 0) return;
    if (Date.now() > until)
      throw new Error(`The notifications queue still held tasks after ${(o.timeoutMs ?? 3_600_000) / 1000} s`);
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 1000));
  }
}

/** Every email in the outbox folder, oldest first. */
export function sentEmails(outboxDir: string): SentEmail[] {
  return readdirSync(outboxDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const m = JSON.parse(readFileSync(join(outboxDir, f), 'utf8')) as {
        receivedAt: string;
        request: { custom_args?: { eventId?: string }; categories?: string[] };
      };
      return {
        eventId: m.request.custom_args?.eventId ?? '',
        kind: m.request.categories?.[0] ?? '',
        at: Date.parse(m.receivedAt),
      };
    });
}

export async function deadLetterCount(info: StackInfo): Promise<number> {
  let count = 0;
  let token = '';
  do {
    const res = await fetch(
      `${info.firestore.restUrl}/deadLetters?pageSize=300&mask.fieldPaths=kind${token ? `&pageToken=${token}` : ''}`,
    );
    const page = (await res.json()) as { documents?: unknown[]; nextPageToken?: string };
    count += page.documents?.length ?? 0;
    token = page.nextPageToken ?? '';
  } while (token);
  return count;
}

export function compare(expected: ExpectedEmail[], sent: SentEmail[], deadLetters: number): BurstOutcome {
  const counts = new Map<string, number>();
  for (const s of sent) counts.set(s.eventId, (counts.get(s.eventId) ?? 0) + 1);
  const kinds: EmailKind[] = ['order-confirmation', 'shipping-update', 'order-cancelled'];
  const byKind = Object.fromEntries(
    kinds.map((k) => [k, { expected: 0, optional: 0, sent: 0, missing: 0, duplicated: 0 }]),
  ) as Record<EmailKind, KindOutcome>;
  const examples: string[] = [];
  const known = new Set(expected.map((e) => e.eventId));
  for (const e of expected) {
    const k = byKind[e.kind];
    const n = counts.get(e.eventId) ?? 0;
    if (e.count === 'one') k.expected++;
    else k.optional++;
    k.sent += n;
    if (n === 0 && e.count === 'one') k.missing++, examples.push(`missing ${e.eventId}`);
    if (n > 1) (k.duplicated += n - 1), examples.push(`${n}× ${e.eventId}`);
  }
  const sum = (f: keyof KindOutcome): number => kinds.reduce((a, k) => a + byKind[k][f], 0);
  return {
    byKind,
    missing: sum('missing'),
    duplicated: sum('duplicated'),
    unexpected: sent.filter((s) => !known.has(s.eventId)).length,
    deadLetters,
    examples: examples.slice(0, 20),
  };
}
