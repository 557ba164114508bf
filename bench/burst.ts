/**
 * `npm run bench -- burst [--orders N] [--rate R] [--chaos]`: a sale-day burst through the whole dev stack
 * (`npm run dev` on free ports and a temporary state folder): N orders at R per second with shipped, cancelled and
 * redelivered events, sent by a storefront that retries (burst/storefront.ts); with --chaos, SIGKILLs and mail-sink
 * faults (burst/chaos.ts) from the first order until the notifications queue is empty; then it reads the end state.
 * BENCHMARKS.md explains each figure.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionNames } from '../esbuild.config.mjs';
import type { StackInfo } from '../local/stack-file.ts';
import { stackPorts, startStack } from '../test/dev/support.ts';
import { sinkFaults, startKilling, type Kill } from './burst/chaos.ts';
import { drive } from './burst/drive.ts';
import { emailLatency, rateFigures, rssFigures, webhookFigures, AFTER_KILL_MS } from './burst/figures.ts';
import { collectDispatches, sampleRss } from './burst/observe.ts';
import { compare, deadLetterCount, sentEmails, waitDrained } from './burst/outcome.ts';
import { burstPlan } from './burst/plan.ts';
import { deliver } from './burst/storefront.ts';
import { created } from '../test/support/events.ts';
import { ROOT } from './stack.ts';

export interface BurstOptions {
  orders: number;
  rate: number;
  chaos: boolean;
  /** Share of sends the mail sink fails with --chaos. @default 0.2 */
  faultRate?: number;
  seed?: number;
}

export async function burstBench(
  o: BurstOptions,
  onStarted: (stop: () => Promise<void>) => void,
): Promise<{ results: Record<string, unknown>; rows: [string, string, string][] }> {
  const seed = o.seed ?? 1;
  const state = mkdtempSync(join(tmpdir(), 'bench-burst-'));
  const stack = await startStack(state, await stackPorts(functionNames().length), [], 600_000);
  // The stack's whole log is kept in the temp folder, to look into a figure afterwards.
  const logFile = join(tmpdir(), `storefront-burst-${Date.now()}.log`);
  const stop = async (): Promise<void> => {
    await stack.stop();
    stack.kill();
    writeFileSync(logFile, stack.output());
    process.stderr.write(`burst: the dev stack's log is in ${logFile}\n`);
    rmSync(state, { recursive: true, force: true });
  };
  onStarted(stop);
  const { info } = stack;
  const readInfo = (): StackInfo | undefined => {
    try {
      return JSON.parse(readFileSync(join(state, 'stack.json'), 'utf8')) as StackInfo;
    } catch {
      return undefined;
    }
  };
  const queue = (
    JSON.parse(readFileSync(join(ROOT, 'queues.json'), 'utf8')) as {
      queues: { name: string; rateLimits: { maxDispatchesPerSecond: number } }[];
    }
  ).queues.find((q) => q.name === 'notifications')!;
  const faultRate = o.faultRate ?? 0.2;
  const runId = `b${Date.now().toString(36)}`;
  // One order first, to its email: the functions' clients connect on their first request (seconds on a busy
  // machine), which a storefront's 5 s timeout would turn into a storm of retries that measures only that.
  const warm = created(`${runId}-warm-up`);
  if (!(await deliver(info.webhook.url, info.webhook.secret, warm, false)).accepted)
    throw new Error('burst: the warm-up order was not accepted');
  await waitDrained(info, { timeoutMs: 300_000 });
  let mailPid = info.mailSink.pid;
  if (o.chaos) await sinkFaults(info, faultRate, seed);
  const rss = sampleRss(() => {
    const now = readInfo();
    // A restarted mail sink starts without faults: turn them on again.
    if (o.chaos && now && now.mailSink.pid !== mailPid)
      void sinkFaults(now, faultRate, seed).then(
        () => (mailPid = now.mailSink.pid),
        () => {},
      );
    return now;
  });
  const dispatches = collectDispatches(info.tasksEmulator.url, 'notifications');
  const plan = burstPlan({ orders: o.orders, rate: o.rate, runId, seed });
  const started = Date.now();
  const burst = drive(plan.deliveries, info.webhook.url, info.webhook.secret);
  const chaos = o.chaos ? startKilling(readInfo, seed) : { kills: [] as Kill[], stop() {} };
  const progress = setInterval(
    () =>
      process.stderr.write(
        `burst: ${burst.answered()}/${plan.deliveries.length} webhooks answered, ${chaos.kills.length} kills, ${Math.round((Date.now() - started) / 1000)} s\n`,
      ),
    10_000,
  );
  let results;
  let sentAt = 0;
  try {
    results = await burst.done;
    sentAt = Date.now();
    await waitDrained(info, { timeoutMs: 3_600_000 });
  } finally {
    chaos.stop();
    clearInterval(progress);
  }
  const drainedAt = Date.now();
  rss.stop();
  await dispatches.stop();
  const sent = sentEmails(info.mailSink.outboxDir).filter((m) => m.eventId !== warm.id);
  const outcome = compare(plan.expected, sent, await deadLetterCount(info));
  const restarts = (stack.output().match(/exited unexpectedly \(signal SIGKILL\): starting it again/g) ?? []).length;

  const figures = {
    options: { ...o, faultRate: o.chaos ? faultRate : 0, seed },
    plan: {
      orders: o.orders,
      deliveries: plan.deliveries.length,
      redeliveries: plan.deliveries.filter((d) => d.redelivery).length,
      expectedEmails: plan.expected.length,
    },
    seconds: { sending: round1((sentAt - started) / 1000), untilDrained: round1((drainedAt - started) / 1000) },
    webhook: webhookFigures(results, chaos.kills),
    emailLatencyMs: emailLatency(results, sent),
    queue: rateFigures(dispatches.times, {
      rate: queue.rateLimits.maxDispatchesPerSecond,
      burst: Math.min(100, Math.ceil(queue.rateLimits.maxDispatchesPerSecond)),
    }),
    rss: rssFigures(rss.samples),
    kills: chaos.kills.map((k) => ({ atSecond: round1((k.at - started) / 1000), part: k.part })),
    restarts,
    outcome,
  };
  return { results: figures, rows: rows(figures) };
}

const round1 = (x: number): number => Number(x.toFixed(1));

function rows(f: {
  webhook: ReturnType<typeof webhookFigures>;
  emailLatencyMs: ReturnType<typeof emailLatency>;
  queue: ReturnType<typeof rateFigures>;
  rss: ReturnType<typeof rssFigures>;
  kills: { part: string }[];
  restarts: number;
  outcome: ReturnType<typeof compare>;
  plan: { orders: number; deliveries: number; expectedEmails: number };
  seconds: { sending: number; untilDrained: number };
}): [string, string, string][] {
  const w = f.webhook;
  const ok = (good: boolean): string => (good ? '✓' : '✗ goal not met');
  const out: [string, string, string][] = [
    [
      'run',
      `${f.plan.orders} orders, ${f.plan.deliveries} deliveries, ${f.plan.expectedEmails} events`,
      `sent in ${f.seconds.sending} s, queue drained after ${f.seconds.untilDrained} s; ${f.kills.length} kills (${['storefront-webhook', 'send-notification', 'tasks'].map((p) => `${p} ${f.kills.filter((k) => k.part === p).length}`).join(', ')}), ${f.restarts} restarts`,
    ],
    [
      'webhook',
      `${w.attempts} attempts, ${w.latencyMs.count} answered`,
      `answers p50 ${w.latencyMs.p50} ms, p99 ${w.latencyMs.p99} ms, max ${w.latencyMs.max} ms; non-2xx ${w.non2xx} (${Object.entries(
        w.statuses,
      )
        .map(([s, n]) => `${s}: ${n}`)
        .join(', ')}), no answer ${w.noAnswer}`,
    ],
    [
      'webhook',
      `outside ${AFTER_KILL_MS / 1000} s after a kill`,
      `p99 ${w.outsideKillsMs.p99} ms (goal < 1000 ms) ${ok(w.outsideKillsMs.p99 < 1000)}`,
    ],
    ['storefront', 'retries', `${w.storefrontRetries} (never accepted: ${w.neverAccepted})`],
    [
      'webhook → email',
      `${f.emailLatencyMs.count} emails`,
      `p50 ${ms(f.emailLatencyMs.p50)}, p99 ${ms(f.emailLatencyMs.p99)}, max ${ms(f.emailLatencyMs.max)}`,
    ],
    [
      'notifications queue',
      `${f.queue.dispatches} dispatches, limit ${f.queue.limitPerSecond}/s (bucket ${f.queue.burst})`,
      `mean ${f.queue.meanPerSecond}/s; most in 1 s ${f.queue.most1s} (allowed ${f.queue.allowed1s}); most in 10 s ${f.queue.most10sPerSecond}/s (allowed ${f.queue.allowed10sPerSecond}/s) ${ok(f.queue.most1s <= f.queue.allowed1s && f.queue.most10sPerSecond <= f.queue.allowed10sPerSecond)}`,
    ],
  ];
  for (const [part, r] of Object.entries(f.rss))
    out.push([
      'RSS',
      part,
      `peak ${r.peakMiB} MiB; first minute ${r.firstMinuteMiB} MiB, last minute ${r.lastMinuteMiB} MiB (${r.changePercent >= 0 ? '+' : ''}${r.changePercent}%) ${ok(Math.abs(r.changePercent) <= 20)}`,
    ]);
  const o = f.outcome;
  for (const [kind, k] of Object.entries(o.byKind))
    out.push([
      'emails',
      kind,
      `expected ${k.expected}${k.optional ? ` (+${k.optional} optional)` : ''}, sent ${k.sent}, missing ${k.missing}, duplicated ${k.duplicated}`,
    ]);
  out.push([
    'end state',
    'missing / duplicated / dead letters',
    `${o.missing} / ${o.duplicated} / ${o.deadLetters}${o.unexpected ? `; ${o.unexpected} unexpected` : ''} ${ok(o.missing === 0 && o.duplicated === 0 && o.deadLetters === 0)}`,
  ]);
  return out;
}

const ms = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(0)} s` : `${x} ms`);
