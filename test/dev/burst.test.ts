// A sale-day burst (150 orders at 25/s: about 230 deliveries) through the real dev stack (`npm run dev`) while its
// parts are killed with SIGKILL: the runner starts each again (new pid in stack.json), the storefront retries what
// failed, and every event ends with exactly one email and no dead letter. Then the Firestore emulator is killed,
// which the runner cannot undo: it stops with a message saying what was lost.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { functionNames } from '../../esbuild.config.mjs';
import type { StackInfo } from '../../local/stack-file.ts';
import { drive } from '../../bench/burst/drive.ts';
import { compare, deadLetterCount, sentEmails, waitDrained } from '../../bench/burst/outcome.ts';
import { burstPlan } from '../../bench/burst/plan.ts';
import { eventually } from '../support/eventually.ts';
import { groupAlive, stackPorts, startStack, type RunningStack } from './support.ts';

let stack: RunningStack | undefined;
const state = mkdtempSync(join(tmpdir(), 'dev-burst-'));
afterAll(async () => {
  await stack?.stop();
  stack?.kill();
  rmSync(state, { recursive: true, force: true });
});

const readInfo = (): StackInfo => JSON.parse(readFileSync(join(state, 'stack.json'), 'utf8')) as StackInfo;
type PartPid = (s: StackInfo) => number;

describe('npm run dev under a burst with crashes', () => {
  it('restarts a killed function, Cloud Tasks emulator and mail sink; exactly one email per event; a dead Firestore stops it, saying what was lost', {
    timeout: 400_000,
  }, async () => {
    stack = await startStack(state, await stackPorts(functionNames().length));
    const running = stack;
    const info = running.info;
    const emulator = info.tasksEmulator.url;
    const queue = `${emulator}/v2/${info.tasksEmulator.queues.notifications!.path}`;
    const post = (url: string): Promise<Response> =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

    const plan = burstPlan({ orders: 150, rate: 25, runId: `burst${Date.now().toString(36)}`, laterMs: 3000 });
    const burst = drive(plan.deliveries, info.webhook.url, info.webhook.secret);
    const answered = (share: number) =>
      eventually(() => burst.answered() >= share * plan.deliveries.length, { timeout: 120_000, interval: 20 });

    /** SIGKILL to the part's process group, then wait for the runner to start it again (a new pid in stack.json). */
    const killAndWait = async (name: string, pidOf: PartPid): Promise<number> => {
      const before = pidOf(readInfo());
      process.kill(-before, 'SIGKILL');
      const after = await eventually(
        () => {
          const s = readInfo();
          return pidOf(s) !== before && s.processGroups.includes(pidOf(s)) && pidOf(s);
        },
        { timeout: 120_000, interval: 50 },
      );
      expect(groupAlive(after), `${name} after its restart`).toBe(true);
      expect(readInfo().processGroups, `${name}'s old process group left stack.json`).not.toContain(before);
      return after;
    };

    // The mail sink while emails go out (its outbox is on disk); the Cloud Tasks emulator while tasks are created and
    // dispatched (its tasks are on disk): storefront-webhook answers 503 until it is back, and the storefront retries.
    // (storefront-webhook itself is killed by `npm run bench -- burst --chaos`: killed inside a Firestore transaction
    // it leaves its order's documents locked until the emulator lets the transaction go, about a minute.)
    await answered(0.2);
    await killAndWait('mail', (s) => s.mailSink.pid);
    await answered(0.4);
    await killAndWait('tasks', (s) => s.tasksEmulator.pid);
    // send-notification between two tasks: the queue paused and no attempt in flight. (Killed while a send is under
    // way, an email SendGrid accepted but not yet recorded as sent is sent again after the lease: a known limit of
    // at-least-once delivery without an idempotency key, measured by `npm run bench -- burst --chaos`.)
    await answered(0.6);
    expect((await post(`${queue}:pause`)).status).toBe(200);
    expect((await fetch(`${emulator}/_emulator/idle?timeout=60000`)).status).toBe(200);
    await killAndWait('send-notification', (s) => s.functions['send-notification']!.pid);
    expect((await post(`${queue}:resume`)).status).toBe(200);

    const results = await burst.done;
    expect(
      results.filter((r) => !r.accepted).map((r) => ({ event: r.eventId, attempts: r.attempts })),
      'deliveries never accepted',
    ).toEqual([]);

    // Drain the queue: advancing the emulator clock makes backoffs come due and refills the rate limit's bucket.
    const advance = JSON.stringify({ seconds: 30 });
    await waitDrained(readInfo(), {
      intervalMs: 200,
      timeoutMs: 300_000,
      poll: async () =>
        void (await fetch(`${emulator}/_emulator/clock:advance`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: advance,
        })),
    });
    const outcome = compare(plan.expected, sentEmails(info.mailSink.outboxDir), await deadLetterCount(info));
    expect({
      missing: outcome.missing,
      duplicated: outcome.duplicated,
      unexpected: outcome.unexpected,
      deadLetters: outcome.deadLetters,
      examples: outcome.examples,
    }).toEqual({ missing: 0, duplicated: 0, unexpected: 0, deadLetters: 0, examples: [] });
    expect(outcome.byKind['shipping-update'].expected).toBeGreaterThan(0);
    expect(outcome.byKind['order-cancelled'].expected).toBeGreaterThan(0);

    // One line per crash saying why; the stack kept running throughout.
    for (const name of ['mail', 'tasks', 'send-notification']) {
      expect(running.output()).toMatch(
        new RegExp(`${name} exited unexpectedly \\(signal SIGKILL\\): starting it again in \\d+ ms`),
      );
    }
    expect(running.child.exitCode).toBe(null);
    for (const g of readInfo().processGroups) expect(groupAlive(g), `process group ${g}`).toBe(true);

    // The Firestore emulator holds its data in memory: the runner stops and says what was lost.
    const groups = readInfo().processGroups;
    const exited = new Promise<number | null>((r) => running.child.once('exit', (code) => r(code)));
    process.kill(-info.firestore.pid, 'SIGKILL');
    expect(await exited).toBe(1);
    await eventually(
      () =>
        expect(running.output()).toMatch(
          /firestore exited unexpectedly \(signal SIGKILL\): stopping the rest\. The Firestore emulator keeps its data in memory .* is lost/,
        ),
      { timeout: 30_000 },
    );
    for (const g of groups) expect(groupAlive(g), `process group ${g} after the stop`).toBe(false);
  });
});
