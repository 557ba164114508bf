/**
 * `npm run demo`: against a running `npm run dev`, sends a realistic, signed series of storefront events, waits
 * until their tasks are done, and prints what happened to each: the webhook's answer, the task, its attempts
 * (from the Cloud Tasks emulator) and the email subject found in the mail sink's outbox.
 *
 *   npm run demo -- [--state .local | --stack <file>] [--platform shopify|woocommerce] [--timeout 60] [--json] [--report]
 *
 * With `--platform`, it sends that platform's documented sample deliveries, signed as the platform signs them, to
 * `shopify-webhook` or `woocommerce-webhook` instead (demo-deliveries.ts). Exit code 0 when every delivery did what
 * it should (one email per distinct valid event, the duplicate deduplicated, the invalid one rejected with 400),
 * 1 otherwise. Without `--platform` and `--json`, it ends by running the report of the demo orders' day and says
 * in one line that it was written (`--report` prints the whole report).
 *
 * Just over 200 lines on purpose: the steps (send, wait, judge) and the CLI read top to bottom as one story; the
 * deliveries, the events and the table are in demo-deliveries.ts, demo-events.ts and demo-table.ts.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { demoDeliveries, type Platform } from './demo-deliveries.ts';
import { type DemoRow, demoTable } from './demo-table.ts';
import { runReport } from '../../ops/report.ts';
import { dayOf } from '../../shared/store-time.ts';
import { readStack, stackFile, type StackInfo } from '../stack-file.ts';

const root = resolve(import.meta.dirname, '..', '..');

/** Signs like a storefront (kept here for callers of demo.ts). */
export { signature } from './demo-deliveries.ts';

interface Dispatch {
  attempt: number;
  status?: number;
  outcome: string;
}
interface OutboxMessage {
  id: string;
  subject?: string;
  to: string[];
  request: { custom_args?: Record<string, string>; personalizations?: { custom_args?: Record<string, string> }[] };
}

const eventIdOf = (m: OutboxMessage): string | undefined =>
  m.request.custom_args?.eventId ??
  m.request.personalizations?.find((p) => p.custom_args?.eventId)?.custom_args?.eventId;

export async function runDemo(
  stack: StackInfo,
  o: { timeoutMs?: number; onProgress?: (text: string) => void; runId?: string; platform?: Platform; now?: Date } = {},
): Promise<DemoRow[]> {
  const runId = o.runId ?? Date.now().toString(36);
  const rows: DemoRow[] = [];
  const until = Date.now() + (o.timeoutMs ?? 60_000);
  for (const [i, e] of demoDeliveries(stack, { root, runId, platform: o.platform, now: o.now }).entries()) {
    // No confirmation is sent for an order already cancelled (docs/storefront-contract.md): as in a shop, the order's confirmation goes
    // out before it is cancelled, so the demo shows both emails whatever the machine's speed.
    if (e.cancels) await confirmationSent(stack, rows, e.orderId, until);
    const res = await fetch(e.url, { method: 'POST', headers: e.headers, body: e.body });
    const text = await res.text();
    let answer: unknown = text;
    try {
      answer = JSON.parse(text);
    } catch {}
    const task = (answer as { tasks?: { name: string; duplicate: boolean }[] })?.tasks?.[0];
    rows.push({
      n: i + 1,
      label: e.label,
      eventId: e.eventId,
      orderId: e.orderId,
      expect: e.expect,
      status: res.status,
      answer,
      ...(task ? { task: task.name, duplicate: task.duplicate } : {}),
      attempts: 0,
      ok: false,
    });
  }

  const started = Date.now();
  for (;;) {
    const outbox = await getJson<{ messages: OutboxMessage[] }>(`${stack.mailSink.outboxUrl}`);
    for (const row of rows) {
      if (row.task) {
        const dispatches = (
          await getJson<{ dispatches: Dispatch[] }>(
            `${stack.tasksEmulator.dispatchesUrl}?task=${encodeURIComponent(row.task)}`,
          )
        ).dispatches;
        row.attempts = dispatches.length;
        const last = dispatches.at(-1);
        if (last) {
          if (last.status !== undefined) row.lastStatus = last.status;
          row.outcome = last.outcome;
        }
        row.queued = (await fetch(`${stack.tasksEmulator.url}/v2/${row.task}`)).status === 200;
      }
      const mails = outbox.messages.filter((m) => eventIdOf(m) === row.eventId);
      const mail = mails[0];
      if (mail) {
        row.subject = mail.subject ?? '(template)';
        row.emailId = mail.id;
      }
      row.ok = judge(row, mails.length);
    }
    const done = rows.filter((r) => r.ok).length;
    const retrying = rows.filter((r) => r.outcome === 'retrying').length;
    if (done === rows.length || Date.now() > until) break;
    o.onProgress?.(
      `Waiting for the tasks: ${done}/${rows.length} events done${retrying ? `, ${retrying} retrying` : ''} (${Math.round((Date.now() - started) / 1000)} s)`,
    );
    await new Promise((r) => setTimeout(r, 250));
  }
  return rows;
}

async function confirmationSent(stack: StackInfo, rows: DemoRow[], orderId: string, until: number): Promise<void> {
  const created = rows.find((r) => r.orderId === orderId && r.label.startsWith('order.created'));
  while (created && Date.now() < until) {
    const outbox = await getJson<{ messages: OutboxMessage[] }>(`${stack.mailSink.outboxUrl}`);
    if (outbox.messages.some((m) => eventIdOf(m) === created.eventId)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function judge(row: DemoRow, emails: number): boolean {
  const accepted = row.status === 202 || row.status === 200;
  switch (row.expect) {
    case 'ping':
      return row.status === 200 && !row.task && emails === 0;
    case 'accepted':
      return accepted && row.duplicate === false && !row.queued && row.outcome === 'succeeded' && emails === 1;
    case 'duplicate':
      // The first delivery's task sends the email; the second must enqueue nothing new.
      return accepted && row.duplicate === true && emails === 1 && !row.queued;
    case 'rejected':
      return row.status === 400 && !row.task && emails === 0;
  }
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      state: { type: 'string' },
      stack: { type: 'string' },
      timeout: { type: 'string', default: '60' },
      platform: { type: 'string' },
      json: { type: 'boolean', default: false },
      report: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'Usage: npm run demo -- [--state <dir> (default .local) | --stack <stack.json>] ' +
        '[--platform shopify|woocommerce] [--timeout <seconds>] [--json] [--report]',
    );
    process.exit(0);
  }
  try {
    const stack = readStack(
      values.stack ? resolve(values.stack) : stackFile(resolve(values.state ?? join(root, '.local'))),
    );
    const tty = process.stdout.isTTY === true && !values.json;
    if (values.platform !== undefined && values.platform !== 'shopify' && values.platform !== 'woocommerce')
      throw new Error(`--platform must be shopify or woocommerce, not ${values.platform}`);
    const platform = values.platform as Platform | undefined;
    console.log(
      platform
        ? `Sending signed ${platform} sample deliveries to ${stack.functions[`${platform}-webhook`]?.url ?? `(no ${platform}-webhook)`} …`
        : `Sending 8 signed storefront events to ${stack.webhook.url} …`,
    );
    let lastPrint = 0;
    // The orders are dated a day back, so that their store-day has ended and its report can run at the end.
    const ordersAt = new Date(Date.now() - 86_400_000);
    const rows = await runDemo(stack, {
      platform,
      now: ordersAt,
      timeoutMs: Number(values.timeout) * 1000,
      onProgress: (text) => {
        if (tty) process.stdout.write(`\r\x1b[2K${text}`);
        else if (Date.now() - lastPrint > 2000) (lastPrint = Date.now()), console.log(text);
      },
    });
    if (tty) process.stdout.write('\r\x1b[2K');
    if (values.json) console.log(JSON.stringify({ rows }, null, 2));
    else {
      console.log(demoTable(rows));
      console.log(
        `\nOutbox: ${stack.mailSink.outboxUrl} (open in a browser; one email: ${stack.mailSink.outboxUrl}/<id>/html)`,
      );
      console.log(`Attempts of a task: curl '${stack.tasksEmulator.dispatchesUrl}?task=<task name>'`);
    }
    const bad = rows.filter((r) => !r.ok);
    if (!values.json && !platform && !bad.length) {
      const day = dayOf(ordersAt.getTime(), stack.timeZone ?? 'UTC');
      const args = [
        '--day',
        day,
        '--wait',
        '--timeout',
        values.timeout,
        '--run',
        `demo-${Date.now().toString(36)}`,
        '--state',
        stack.stateDir,
      ];
      if (values.report) {
        console.log(`\nThe daily report of ${day} (npm run report -- --day ${day} --wait):`);
        if ((await runReport(args, {})) !== 0) process.exitCode = 1;
      } else {
        // One line; the whole report only when asked (--report), it is long.
        const lines: string[] = [];
        if ((await runReport([...args, '--json'], {}, (l) => lines.push(l))) === 0) {
          const r = JSON.parse(lines.at(-1)!) as { orderCount: number; currencies: Record<string, unknown> };
          console.log(
            `\nDaily report of ${day} written (reports/${day}): ${r.orderCount} orders in ` +
              `${Object.keys(r.currencies).join(', ') || 'no currency'}. ` +
              "The whole report: npm run demo -- --report, or the console's Reports view.",
          );
        } else {
          console.error(`\nThe daily report of ${day} did not finish:\n${lines.join('\n')}`);
          process.exitCode = 1;
        }
      }
    }
    if (bad.length) {
      console.error(
        `\n${bad.length} event(s) did not do what they should: ${bad.map((r) => `#${r.n}`).join(', ')}. See the npm run dev log.`,
      );
      process.exitCode = 1;
    }
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
