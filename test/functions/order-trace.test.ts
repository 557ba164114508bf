// One order, one trace: the webhook continues the trace it is called with (or starts one), the order keeps it, its
// tasks carry it to send-notification, and every log line of the journey is in it. Real parts: the Firestore
// emulator, our Cloud Tasks emulator, the mail sink, both functions; the log lines are the functions' own stdout.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { created, shipped } from '../support/events.ts';
import { startStack, type Stack } from '../support/stack.ts';

type Line = Record<string, any>;
let stack: Stack;
/** The functions' log lines since the last clear (the stack keeps them: support/logs.ts). */
const lines = (): Line[] => stack.logs.entries() as Line[];

beforeAll(async () => {
  stack = await startStack({ env: { LOG_LEVEL: 'INFO' } });
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => {
  stack.logs.clear();
});

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const traceOf = (l: Line): string | undefined => l['logging.googleapis.com/trace'];
const fn = (l: Line): string | undefined => l['logging.googleapis.com/labels']?.function;
const taskId = (name: string) => name.split('/').pop()!;

/** Every line about an event: the webhook's (by event id) and its task's attempts (by the task label). */
function journey(eventId: string, task: string): Line[] {
  return lines().filter((l) => l.eventId === eventId || l['logging.googleapis.com/labels']?.task === taskId(task));
}

async function deliver(event: ReturnType<typeof created>, headers: Record<string, string> = {}) {
  const res = await stack.post(event, { headers });
  expect(res.status).toBe(202);
  const body = (await res.json()) as { tasks: { name: string; duplicate: boolean }[] };
  await stack.emulator.waitForIdle({ drained: true });
  return body;
}

describe('one trace per order', () => {
  it("puts the webhook's and send-notification's lines of an order in the trace of its traceparent", async () => {
    const e = created('ord-trace-1');
    const { tasks } = await deliver(e, { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` });
    const mine = journey(e.id, tasks[0]!.name);
    expect(new Set(mine.map(fn))).toEqual(new Set(['storefront-webhook', 'send-notification']));
    expect(mine.find((l) => l.message === 'Email sent')).toBeDefined();
    for (const l of mine) {
      expect(traceOf(l)).toBe(`projects/${stack.projectId}/traces/${TRACE}`);
      expect(l['logging.googleapis.com/spanId']).toMatch(/^[\da-f]{16}$/);
      expect(l['logging.googleapis.com/trace_sampled']).toBe(true);
    }
    // The target's span is the task's, not the webhook's.
    expect(mine.find((l) => fn(l) === 'send-notification')!['logging.googleapis.com/spanId']).not.toBe(
      '00f067aa0ba902b7',
    );
    expect((await stack.store.getOrder('ord-trace-1'))?.traceId).toBe(TRACE);
    const mail = stack.sink.messages().find((m) => (m.request.custom_args as Record<string, string>)?.eventId === e.id);
    expect((mail!.request.custom_args as Record<string, string>).traceId).toBe(TRACE);
  });

  it('keeps a redelivery and a later event of the order in its trace and on its timeline', async () => {
    const e = created('ord-trace-2');
    await deliver(e, { 'x-cloud-trace-context': `${TRACE.replace('4', '5')}/12345;o=1` });
    const orderTrace = TRACE.replace('4', '5');
    stack.logs.clear();
    const again = await deliver(e, { traceparent: `00-${'a'.repeat(32)}-00f067aa0ba902b7-00` });
    expect(again.tasks[0]!.duplicate).toBe(true);
    const redelivered = lines().find((l) => l.message === 'Storefront event delivered again; nothing new enqueued')!;
    expect(traceOf(redelivered)).toBe(`projects/${stack.projectId}/traces/${orderTrace}`);
    expect(redelivered.requestTrace).toBe('a'.repeat(32));
    const notes = await stack.store.deliveriesOf(e.id);
    expect(notes.map((n) => [n.platform, n.answer, n.status, n.traceId])).toEqual([
      ['storefront', 'accepted', 202, orderTrace],
      ['storefront', 'duplicate', 202, 'a'.repeat(32)],
    ]);
    // A later event of the order, delivered without trace context: its email is in the order's trace too.
    stack.logs.clear();
    const s = shipped('ord-trace-2');
    const { tasks } = await deliver(s);
    const mine = journey(s.id, tasks[0]!.name);
    expect(mine.some((l) => l.message === 'Email sent')).toBe(true);
    expect(new Set(mine.map(traceOf))).toEqual(new Set([`projects/${stack.projectId}/traces/${orderTrace}`]));
  });

  it.each([
    ['malformed', 'not-a-trace'],
    ['all-zero ids', `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01`],
    ['huge', `00-${TRACE}-00f067aa0ba902b7-01-${'f'.repeat(8000)}`],
  ])('ignores a %s traceparent safely: the order gets a new trace', async (name, traceparent) => {
    const id = `ord-hostile-${name.replace(/\W/g, '')}`;
    const e = created(id);
    const { tasks } = await deliver(e, { traceparent, 'x-cloud-trace-context': 'garbage/../..;o=9' });
    const traceId = (await stack.store.getOrder(id))!.traceId!;
    expect(traceId).toMatch(/^[\da-f]{32}$/);
    expect(traceId).not.toMatch(/^0+$/);
    expect(traceId).not.toBe(TRACE);
    const mine = journey(e.id, tasks[0]!.name);
    expect(mine.length).toBeGreaterThan(1);
    expect(new Set(mine.map(traceOf))).toEqual(new Set([`projects/${stack.projectId}/traces/${traceId}`]));
  });
});
