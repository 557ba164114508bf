// The local console in headless Chromium against real parts: the tasks emulator, the mail sink, the Firestore
// emulator and both functions (test/support/stack.ts), seeded through their own APIs. Screenshots of each view go
// to test-artifacts/console/ (gitignored; docs/local-development.md shows the copies in docs/console/).
// One file on purpose (a little over 200 lines): every view is checked against one seeded stack, started once.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startConsole, type Console } from '../../local/console/index.ts';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { sampleReport } from '../support/report-fixture.ts';
import { eventually } from '../support/eventually.ts';
import { created, order, shipped } from '../support/events.ts';
import { startStack, type Stack } from '../support/stack.ts';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
const BULK = 10_000;
let stack: Stack;
let cons: Console;
let browser: Browser;
const timings: Record<string, number> = {};

const rest = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(`${stack.emulator.url}/v2/${path}`, {
    ...init,
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const queuePath = (q: string) => `projects/${stack.projectId}/locations/us-central1/queues/${q}`;
const shot = (name: string, fullPage = true) =>
  browser.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
const open = async (hash: string) => {
  await browser.page.goto(`${cons.url}${hash}`);
};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
  cons = await startConsole({
    port: 0,
    tasksUrl: stack.emulator.url,
    mailUrl: stack.sink.url,
    firestoreHost: inject('firestoreHost'),
    project: stack.projectId,
    opsEnv: stack.env,
    pollMs: 200,
  });
  // Orders through the real webhook; their emails through the real queue, function and mail sink.
  for (const e of [
    created('ord-c1'),
    shipped('ord-c1'),
    created('ord-c2', { number: '1002', currency: 'JPY', locale: 'ja-JP', subtotal: 4499, total: 5349 }),
  ]) {
    expect((await stack.post(e)).status).toBeLessThan(300);
  }
  await stack.emulator.waitForIdle({ drained: true });
  await stack.deadLetters.write({
    queue: 'notifications',
    task: 'given-up-1',
    kind: 'order-confirmation',
    attempts: 30,
    payload: {
      kind: 'order-confirmation',
      idempotencyKey: 'order-confirmation:ord-dl',
      eventId: 'evt-created-ord-dl',
      order: order('ord-dl', { customer: { email: 'lee@example.com', name: 'Lee' } }),
    },
    error: { code: 'sendgrid-unavailable', message: 'SendGrid answered 503 thirty times' },
  });
  await stack.db.collection('reports').doc('2026-11-23').set(sampleReport());
  // A paused queue holding 10,000 tasks: the tasks view pages them on the server.
  expect(
    (
      await rest(`projects/${stack.projectId}/locations/us-central1/queues`, {
        method: 'POST',
        body: JSON.stringify({ name: queuePath('bulk') }),
      })
    ).status,
  ).toBe(200);
  await rest(`${queuePath('bulk')}:pause`, { method: 'POST' });
  const seeding = Date.now();
  const body = Buffer.from(JSON.stringify({ kind: 'demo', n: 1 })).toString('base64');
  for (let i = 0; i < BULK; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        rest(`${queuePath('bulk')}/tasks`, {
          method: 'POST',
          body: JSON.stringify({
            task: {
              name: `${queuePath('bulk')}/tasks/bulk-${String(i + j).padStart(5, '0')}`,
              httpRequest: {
                url: 'http://127.0.0.1:9/never',
                httpMethod: 'POST',
                headers: { 'Content-Type': 'application/json', 'X-Demo': 'yes' },
                body,
              },
            },
          }),
        }),
      ),
    );
  }
  timings.seed10kTasks = Date.now() - seeding;
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await cons?.stop();
  await stack?.close();
  if (Object.keys(timings).length) console.log(`console timings (ms): ${JSON.stringify(timings)}`);
});

describe('the console in a browser', () => {
  it('shows the queues with state, limits and tasks waiting', async () => {
    const t0 = Date.now();
    await open('#/queues');
    const bulk = browser.page.locator('tr[data-queue="bulk"]');
    await bulk.locator('[data-testid=tasks]', { hasText: '10,000' }).waitFor();
    timings.queuesWith10kTasks = Date.now() - t0;
    await expect(bulk.locator('[data-testid=state]').textContent()).resolves.toBe('PAUSED');
    const notifications = browser.page.locator('tr[data-queue="notifications"]');
    await expect(notifications.textContent()).resolves.toMatch(
      /10\/s, burst 10, 20 concurrent.*30 attempts, 10s…600s, 5 doublings, no retry time limit/,
    );
    await browser.page.locator('.chart canvas').first().waitFor();
    await shot('queues');
  });

  it('pauses and resumes a queue in the emulator', async () => {
    await open('#/queues');
    const row = browser.page.locator('tr[data-queue="notifications"]');
    await row.getByRole('button', { name: 'Pause' }).click();
    await eventually(async () => expect((await rest(queuePath('notifications'))).body.state).toBe('PAUSED'));
    await row.locator('[data-testid=state]', { hasText: 'PAUSED' }).waitFor();
    await row.getByRole('button', { name: 'Resume' }).press('Enter'); // the keyboard works as well as the mouse
    await eventually(async () => expect((await rest(queuePath('notifications'))).body.state).toBe('RUNNING'));
    await row.locator('[data-testid=state]', { hasText: 'RUNNING' }).waitFor();
  });

  it('pages through 10,000 tasks on the server', async () => {
    const t0 = Date.now();
    await open('#/queues/bulk');
    await browser.page.getByText('10,000 tasks · page 1 of 200').waitFor();
    timings.firstTaskPage = Date.now() - t0;
    await expect(browser.page.locator('table[aria-label=Tasks] tbody tr').count()).resolves.toBe(50);
    const t1 = Date.now();
    await browser.page.getByRole('button', { name: 'Next →' }).click();
    await browser.page.getByText('page 2 of 200').waitFor();
    await browser.page.getByRole('link', { name: 'bulk-00050' }).waitFor();
    timings.nextTaskPage = Date.now() - t1;
    await shot('tasks', false);
  });

  it("shows a task's request and decoded body, runs it now and deletes it", async () => {
    await open('#/queues/bulk/tasks/bulk-00007');
    const page = browser.page;
    await page.getByRole('heading', { name: 'Request' }).waitFor();
    await page.locator('table[aria-label="Request headers"]', { hasText: 'X-Demo' }).waitFor();
    await page.locator('pre', { hasText: '"kind": "demo"' }).waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.locator('ol.timeline li', { hasText: 'Attempt 1' }).waitFor();
    await shot('task');
    expect(stack.emulator.dispatches({ task: 'bulk-00007' })).toHaveLength(1);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    // The page goes back to the queue once its DELETE is answered: wait for that, or it could happen after the next
    // test has opened another view (the emulator can answer 404 below before the page has its answer).
    await page.waitForFunction("location.hash === '#/queues/bulk'");
    await eventually(async () => expect((await rest(`${queuePath('bulk')}/tasks/bulk-00007`)).status).toBe(404));
  });

  it('lists attempts live, filtered by outcome', async () => {
    await open('#/attempts');
    await browser.page.locator('table[aria-label=Attempts] td', { hasText: 'succeeded' }).first().waitFor();
    await browser.page.getByLabel('Outcome').selectOption('retrying');
    // The unfiltered table (it also lists bulk-00007) stays until the page renders the filtered answer: wait for its
    // succeeded rows to go, then for the retrying row.
    await browser.page
      .locator('table[aria-label=Attempts] td', { hasText: 'succeeded' })
      .first()
      .waitFor({ state: 'detached' });
    await browser.page.locator('table[aria-label=Attempts] tbody tr', { hasText: 'bulk-00007' }).waitFor();
    await expect(
      browser.page.locator('table[aria-label=Attempts] tbody', { hasText: 'succeeded' }).count(),
    ).resolves.toBe(0);
    await browser.page.getByLabel('Outcome').selectOption('');
    await shot('attempts');
  });

  it('shows an outbox email as the recipient sees it, with text and headers', async () => {
    await open('#/outbox');
    await browser.page.locator('table[aria-label=Emails] a').last().click();
    const frame = browser.page.frameLocator('iframe.email');
    await frame.locator('body', { hasText: '1001' }).waitFor();
    await expect(browser.page.locator('iframe.email').getAttribute('sandbox')).resolves.toBe('');
    await browser.page.getByText('jane@example.com').first().waitFor();
    await shot('outbox');
  });

  it('redrives a dead letter, which is enqueued again', async () => {
    await open('#/dead-letters');
    const row = browser.page.locator('tr', { hasText: 'given-up-1' });
    await row.getByText('sendgrid-unavailable').waitFor();
    await row.getByRole('button', { name: 'Redrive' }).click();
    await browser.page
      .getByRole('status')
      .getByText(/redrove .* as /)
      .waitFor();
    const letter = await eventually(async () => {
      const l = (await stack.deadLetters.list({}))[0]!;
      expect(l.redriveTask).toBeTruthy();
      return l;
    });
    // The new task reached the target through the emulator, and its email went out.
    await eventually(() => expect(stack.emulator.dispatches({ task: letter.redriveTask! }).length).toBeGreaterThan(0));
    await eventually(() => expect(stack.sink.messages().some((m) => m.to.includes('lee@example.com'))).toBe(true));
    await row.getByText('redriven').waitFor();
    await shot('dead-letters');
  });

  it('shows an order with its timeline, events, tasks and emails', async () => {
    await open('#/orders/ord-c1');
    await browser.page.getByRole('cell', { name: 'order.shipped', exact: true }).waitFor();
    await expect(browser.page.locator('.grid a[href^="#/queues/notifications/tasks/"]').count()).resolves.toBe(2);
    await expect(browser.page.locator('.grid a[href^="#/outbox/"]').count()).resolves.toBe(2);
    const timeline = browser.page.locator('[data-testid=timeline]');
    await expect(timeline.locator('tr[data-kind=delivery]').count()).resolves.toBe(2);
    await expect(timeline.locator('tr[data-kind=email] a[href^="#/outbox/"]').count()).resolves.toBe(2);
    await shot('orders');
  });

  it('shows a daily report with figures per currency and the orders-per-hour chart', async () => {
    await open('#/reports');
    await browser.page.getByRole('heading', { name: /2026-11-23/ }).waitFor();
    const figures = browser.page.locator('table[aria-label="Figures per currency"]');
    await figures.getByRole('columnheader', { name: 'JPY' }).waitFor();
    await expect(figures.locator('tr', { hasText: 'Gross' }).textContent()).resolves.toMatch(/4,332\.69/);
    await browser.page.locator('.chart[aria-label="Orders per hour"] canvas').waitFor();
    await shot('reports');
    expect(browser.errors).toEqual([]);
  });
});

describe('the console API', () => {
  // As the page calls it: a JSON Content-Type on every request (writes require it).
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${cons.url}api/${path}`, { ...init, headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as { error?: { message: string } } };
  };

  it('answers bad input with a 4xx naming the field, and upstream misses with 404', async () => {
    const size = await call('queues/bulk/tasks?pageSize=0');
    expect(size).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('pageSize') } } });
    const id = await call('dead-letters/redrive', { method: 'POST', body: JSON.stringify({ id: 5 }) });
    expect(id).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('id') } } });
    expect((await call('dead-letters/redrive', { method: 'POST', body: '[' })).status).toBe(400);
    expect((await call('dead-letters/redrive', { method: 'POST', body: JSON.stringify({ id: 'nope' }) })).status).toBe(
      404,
    );
    expect((await call('queues/missing/tasks')).status).toBe(404);
    expect((await call('orders/nope')).status).toBe(404);
    expect(await call('runs/yesterday/scheduled')).toMatchObject({
      status: 400,
      body: { error: { message: 'day must be a date (YYYY-MM-DD), got "yesterday"' } },
    });
    expect(await call('runs/2026-11-23/Bad_Run')).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/^run must be a run id/) } },
    });
    expect((await call('runs/2026-11-23/scheduled')).status).toBe(404);
    expect((await call('queues', { method: 'DELETE' })).status).toBe(405);
  });

  it('starts the attempts over when the emulator log is cleared', async () => {
    expect(((await call('attempts')).body as { attempts: unknown[] }).attempts.length).toBeGreaterThan(0);
    stack.emulator.clearDispatches();
    await eventually(async () =>
      expect(((await call('attempts')).body as { attempts: unknown[] }).attempts).toEqual([]),
    );
  });

  it('purges a queue from the page only after confirmation', async () => {
    await open('#/queues');
    const row = browser.page.locator('tr[data-queue="bulk"]');
    await row.locator('[data-testid=tasks]', { hasText: '9,999' }).waitFor();
    await row.getByRole('button', { name: 'Purge' }).click();
    const dialog = browser.page.getByRole('dialog');
    await dialog.getByText('Delete all 9,999 tasks of queue bulk?').waitFor();
    await browser.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await rest(`${queuePath('bulk')}/tasks?pageSize=1`)).body.tasks).toHaveLength(1);
    await row.getByRole('button', { name: 'Purge' }).click();
    await dialog.getByRole('button', { name: 'Purge' }).click();
    await eventually(async () =>
      expect((await rest(`${queuePath('bulk')}/tasks?pageSize=1`)).body.tasks).toBeUndefined(),
    );
    await row.locator('[data-testid=tasks]', { hasText: /^0$/ }).waitFor();
  });
});
