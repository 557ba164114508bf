// One order's journey on the real dev stack (`npm run dev`): delivered twice, its first email attempt failed by the
// mail sink, then sent. `npm run trace` prints its timeline with the trace id given by the storefront, and with
// --project what Firestore holds and the Cloud Logging query; the console's order page shows the same timeline in
// Chromium.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionNames } from '../../esbuild.config.mjs';
import type { StackInfo } from '../../local/stack-file.ts';
import { signWebhook } from '../../shared/signature.ts';
import { root, stackPorts, startStack, type RunningStack } from '../dev/support.ts';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { eventually } from '../support/eventually.ts';
import { created } from '../support/events.ts';

const run = promisify(execFile);
const TRACE = '7d3efb1a4b2c4f0e9a8b6c5d4e3f2a1b';
const ORDER = 'ord-journey-1';
let state: string;
let stack: RunningStack;
let info: StackInfo;
let browser: Browser | undefined;
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
const DAY = '2026-11-23';

/** `npm run trace -- <args>` to its end: exit code and output. */
const trace = (args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> =>
  run('npm', ['run', '--silent', 'trace', '--', ...args], { cwd: root, env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout + err.stderr }),
  );

async function deliver(headers: Record<string, string>): Promise<void> {
  const body = JSON.stringify(created(ORDER));
  const res = await fetch(info.webhook.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [info.webhook.header]: signWebhook(info.webhook.secret, body, Math.floor(Date.now() / 1000)),
      ...headers,
    },
    body,
  });
  expect(res.status).toBe(202);
}
const emulator = (path: string, body?: unknown) =>
  fetch(
    `${info.tasksEmulator.url}/_emulator/${path}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  ).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, any> }));

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'journey-'));
  stack = await startStack(state, await stackPorts(functionNames().length));
  info = stack.info;
  // The sink fails the first email with a 503; the queue retries it after its backoff (moved on with the test clock).
  expect(
    (
      await fetch(`${info.mailSink.url}/_sink/script`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ status: 503 }]),
      })
    ).status,
  ).toBe(200);
  await deliver({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01` });
  await eventually(async () => (await emulator('dispatches?queue=notifications')).json.dispatches.length === 1, {
    timeout: 60_000,
  });
  await deliver({});
  expect((await emulator('clock:advance', { duration: '60s' })).status).toBe(200);
  expect((await emulator('idle?drained=true&timeout=60000')).status).toBe(200);
  // And a daily-report run of the order's day, as an operator starts one.
  const report = await run('npm', ['run', '--silent', 'report', '--', '--day', DAY, '--state', state], { cwd: root });
  expect(report.stdout).toContain(`schedule-reports: ${DAY}`);
  // Done once the run is combined and its email sent (a shard task run twice may still wait out a combine lease).
  await eventually(
    async () => {
      const t = (await (await fetch(`${info.console!.url}api/runs/${DAY}/scheduled`)).json()) as {
        state?: string;
        entries?: { kind: string }[];
      };
      return t.state === 'combined' && !!t.entries?.some((e) => e.kind === 'email');
    },
    { timeout: 120_000, interval: 250 },
  );
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  stack?.kill();
  if (state) rmSync(state, { recursive: true, force: true });
});

describe("an order's journey", () => {
  it('npm run trace prints its timeline: both deliveries, the task, the failed and the good attempt, the email, the trace id', async () => {
    const { code, out } = await trace([ORDER, '--stack', join(state, 'stack.json')]);
    expect(code, out).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe(`order ${ORDER} · created · trace ${TRACE}`);
    const body = lines.slice(1).map((l) => l.replace(/^\S+ \S+\s+/, ''));
    expect(body, out).toEqual([
      expect.stringMatching(/^delivery\s+storefront delivered order\.created evt-created-ord-journey-1: 202 accepted$/),
      expect.stringMatching(/^status\s+status created \(at 2026-11-23T10:00:00Z by the storefront's clock\)$/),
      expect.stringMatching(/^task\s+task created on notifications: [\da-f]{64} \(for evt-created-ord-journey-1\)$/),
      expect.stringMatching(
        /^attempt\s+notifications\/[\da-f]{12}… attempt 1: 503 in \d+ ms, will retry \(provider-unavailable\)$/,
      ),
      expect.stringMatching(
        /^delivery\s+storefront delivered order\.created evt-created-ord-journey-1: 202 duplicate; its request's own trace [\da-f]{32}$/,
      ),
      expect.stringMatching(/^attempt\s+notifications\/[\da-f]{12}… attempt 2: 204 in \d+ ms, done$/),
      expect.stringMatching(/^email\s+email ".+" to j\*\*\*@e\*\*\*\.com in the outbox \([\w-]+\)$/),
    ]);
    console.log(`npm run trace -- ${ORDER}:\n${out}`);
  });

  it('with --project prints what Firestore holds (personal data masked) and the Cloud Logging query of its trace', async () => {
    const { code, out } = await trace([ORDER, '--project', info.project], {
      FIRESTORE_EMULATOR_HOST: info.firestore.host,
    });
    expect(code, out).toBe(0);
    expect(out).toContain(`order ${ORDER} in ${info.project} · created · trace ${TRACE}`);
    expect(out).toMatch(/"email": "j\*\*\*@e\*\*\*\.com"/);
    expect(out).not.toMatch(/jane@example\.com|Hauptstr/);
    expect(out).toMatch(/delivered .* by storefront: 202 accepted, request trace 7d3efb1a/);
    expect(out).toMatch(/delivered .* by storefront: 202 duplicate, request trace [\da-f]{32}/);
    expect(out).toContain(
      `  trace="projects/${info.project}/traces/${TRACE}" OR trace="projects/${info.project}/traces/`,
    );
    expect(out).toMatch(
      new RegExp(
        `gcloud logging read 'trace="projects/${info.project}/traces/${TRACE}" OR .*' --project ${info.project} --freshness 30d --order asc`,
      ),
    );
  });

  it('answers bad arguments and unknown orders with a message and a non-zero code', async () => {
    expect(await trace([])).toEqual({ code: 2, out: expect.stringContaining('Give an order id (or --run <day>).') });
    expect(await trace(['--run', 'yesterday', '--stack', join(state, 'stack.json')])).toEqual({
      code: 2,
      out: expect.stringContaining('--run must be a day (YYYY-MM-DD) or day/run, got "yesterday"'),
    });
    expect(await trace(['ord-nobody', '--stack', join(state, 'stack.json')])).toEqual({
      code: 1,
      out: "No order ord-nobody in the local stack's Firestore.\n",
    });
    expect(await trace(['ord-x', '--stack', join(state, 'nothing.json')])).toMatchObject({
      code: 1,
      out: expect.stringContaining('No dev stack is running'),
    });
  });

  it('npm run trace --run prints a report run: every shard step, the combine and the email, in one trace', async () => {
    const { code, out } = await trace(['--run', DAY, '--stack', join(state, 'stack.json')]);
    expect(code, out).toBe(0);
    const [head, ...rest] = out.trim().split('\n');
    expect(head).toMatch(new RegExp(`^report run ${DAY}/scheduled · combined · trace [\\da-f]{32}$`));
    // Each shard was attempted (npm run report runs them now; some may also be dispatched on their own schedule, and
    // a shard done while another task combines waits out its lease: the attempts' outcomes vary, the shards do not).
    const shards = rest
      .map((l) => /attempt\s+shard (\d\d) step 0 attempt \d( \(run now\))?: \d{3} in \d+ ms, /.exec(l)?.[1])
      .filter(Boolean);
    expect(new Set(shards).size, out).toBe(24);
    console.log(`npm run trace -- --run ${DAY}:\n${out}`);
    expect(
      rest.filter((l) => /report\s+combined: reports\/2026-11-23 written, email task created$/.test(l)),
    ).toHaveLength(1);
    expect(rest.filter((l) => /attempt\s+daily-report email attempt 1: 204/.test(l))).toHaveLength(1);
    expect(rest.at(-1)).toMatch(/email\s+email ".+" to m\*\*\*@s\*\*\*\.example in the outbox/);
  });
});

describe('the console in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchBrowser();
  });

  it("shows the order's timeline: two deliveries, the failed and the good attempt, the email linked to the outbox, the trace id", async () => {
    const page = browser!.page;
    await page.goto(`${info.console!.url}#/orders/${ORDER}`);
    const timeline = page.locator('[data-testid=timeline]');
    await timeline.locator('tr[data-kind=email]').waitFor();
    await expect(timeline.locator('[data-testid=trace]').textContent()).resolves.toBe(TRACE);
    await expect(timeline.locator('tr[data-kind=delivery]').allTextContents()).resolves.toEqual([
      expect.stringMatching(/storefront delivered order\.created evt-created-ord-journey-1: 202 accepted$/),
      expect.stringMatching(
        /storefront delivered order\.created evt-created-ord-journey-1: 202 duplicate; its request's own trace [\da-f]{32}$/,
      ),
    ]);
    const attempts = timeline.locator('tr[data-kind=attempt]');
    await expect(attempts.locator('[data-testid=outcome]').allTextContents()).resolves.toEqual(['503', '204']);
    await expect(attempts.locator('[data-testid=code]').allTextContents()).resolves.toEqual(['provider-unavailable']);
    await page.screenshot({ path: join(ARTIFACTS, 'order-timeline.png'), fullPage: true });
    await timeline.locator('tr[data-kind=email] a').click();
    await page.waitForURL(/#\/outbox\/[\w-]+$/);
    expect(browser!.errors).toEqual([]);
  });

  it("shows a report run's timeline with its trace id", async () => {
    const page = browser!.page;
    await page.goto(`${info.console!.url}#/runs/${DAY}/scheduled`);
    const timeline = page.locator('[data-testid=timeline]');
    await timeline.locator('tr[data-kind=report]').waitFor();
    await expect(timeline.locator('[data-testid=trace]').textContent()).resolves.toMatch(/^[\da-f]{32}$/);
    await expect(timeline.locator('tr[data-kind=attempt]').count()).resolves.toBeGreaterThanOrEqual(25);
    await expect(timeline.locator('tr[data-kind=email]').count()).resolves.toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'run-timeline.png'), fullPage: true });
    expect(browser!.errors).toEqual([]);
  });
});
