// 200 signed deliveries for 150 distinct orders (50 redeliveries) while the mail sink fails 30% of requests with
// 503, 429 or a slow answer: exactly one confirmation per order, no dead letters, and no customer address in logs.
// SendGrid's timeout is far above the sink's 400 ms delay: a timed-out request that the sink (like SendGrid) accepted
// would be sent again (SendGrid has no idempotency key; docs/operations.md, "Known limits"), and a loaded machine must not make that happen here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { created } from '../support/events.ts';
import { eventually } from '../support/eventually.ts';
import { startStack, type Stack } from '../support/stack.ts';

let stack: Stack;

beforeAll(async () => {
  // Every log line the functions write is kept in stack.logs (they log to stdout, one JSON object per line).
  stack = await startStack({ env: { LOG_LEVEL: 'DEBUG', SENDGRID_TIMEOUT_MS: '30000' } });
});
afterAll(async () => {
  await stack?.close();
});

async function inBatches<T, R>(items: T[], size: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

describe('order notifications under load and faults', () => {
  it('sends exactly 150 confirmations for 200 deliveries of 150 orders with 30% SendGrid faults', {
    timeout: 240_000,
  }, async () => {
    const { sink, emulator } = stack;
    const events = Array.from({ length: 150 }, (_, i) =>
      created(`load-${i}`, {
        number: String(5000 + i),
        customer: { email: `customer.${i}@example.com`, name: `Customer ${i}` },
      }),
    );
    const deliveries = [...events, ...events.filter((_, i) => i % 3 === 0)]; // 150 + 50 redeliveries
    sink.faults({ rate: 0.3, seed: 7, kinds: [503, 429, 'delay'], delayMs: 400 });

    const answers = await inBatches(deliveries, 10, async (e) => {
      const res = await stack.post(e);
      return { status: res.status, body: (await res.json()) as { tasks: { duplicate: boolean }[] } };
    });
    expect(answers.map((a) => a.status).filter((s) => s !== 202)).toEqual([]);
    expect(answers.filter((a) => a.body.tasks[0]?.duplicate)).toHaveLength(50);

    // Let the queue work: advancing the emulator clock refills its token bucket and makes backoffs and
    // Retry-After delays come due, instead of waiting for them.
    await eventually(
      async () => {
        emulator.clock.advance(30_000);
        const res = await fetch(`${emulator.url}/v2/${emulator.queuePath('notifications')}/tasks`);
        const { tasks = [] } = (await res.json()) as { tasks?: unknown[] };
        return sink.messages().length >= 150 && tasks.length === 0;
      },
      { timeout: 200_000, interval: 200 },
    );
    await emulator.waitForIdle();

    const sent = sink.messages();
    expect(sent).toHaveLength(150);
    expect(new Set(sent.map((m) => m.to[0])).size).toBe(150);
    expect(new Set(sent.map((m) => m.subject))).toEqual(
      new Set(events.map((_, i) => `Your order #${5000 + i} is confirmed`)),
    );
    expect(await stack.deadLetters.list()).toEqual([]);
    const retried = emulator.dispatches({ queue: 'notifications' }).filter((d) => d.outcome === 'retrying');
    expect(retried.length).toBeGreaterThan(10); // the faults really happened

    // Logs: many lines, none with a customer's full address.
    const logs = stack.logs.lines().join('\n');
    expect(logs).toContain('"message":"Email sent"');
    expect(logs).not.toMatch(/customer\.\d+@example\.com/);
  });
});
