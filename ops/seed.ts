/**
 * `npm run seed -- --day 2026-11-22 --orders 100000 [--currencies EUR,USD,JPY] [--cancelled 0.05] [--seed 7]
 *  [--time-zone Europe/Berlin] [--out file]`
 *
 * Writes a realistic day of orders (ops/seed/generate.ts) into Firestore through the store's fold
 * (ops/seed/write.ts), then reads the stored orders back and writes the report they should give, computed by the
 * separate, simple ops/seed/expected-report.ts, to a JSON file. Progress goes to stderr, the summary to stdout.
 * Runs on the dev stack (`.local/stack.json`) or, with GOOGLE_CLOUD_PROJECT set, a real project (careful: reading
 * the orders back reads the whole `orders` collection).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BaseEnv, FirestoreEnv, loadConfig } from '../shared/config.ts';
import { Currency } from '../shared/schemas/money.ts';
import { createFirestore } from '../shared/firestore.ts';
import type { StorefrontEvent } from '../shared/schemas/events.ts';
import { stackFile } from '../local/stack-file.ts';
import { settings } from './dead-letters.ts';
import { expectedReport } from './seed/expected-report.ts';
import { generateDay } from './seed/generate.ts';
import { readOrders, writeEvents } from './seed/write.ts';

const USAGE = `usage: npm run seed -- --day YYYY-MM-DD --orders N [--currencies EUR,USD,JPY] [--cancelled 0.05] [--seed 7]
                      [--time-zone Area/City] [--out file] [--batch 150] [--concurrency 8]`;
const Env = BaseEnv.extend(FirestoreEnv.shape).passthrough();

export interface SeedIo {
  out: (line: string) => void;
  err: (line: string) => void;
  now?: () => Date;
}

/** Runs the command; returns the exit code (2 for a bad flag, naming it). */
export async function runSeed(argv: string[], env: Record<string, string | undefined>, io: SeedIo): Promise<number> {
  let flags;
  try {
    flags = parseFlags(argv, env);
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const now = io.now ?? (() => new Date());
  const config = loadConfig(Env, env);
  const db = createFirestore({
    projectId: config.GOOGLE_CLOUD_PROJECT,
    databaseId: config.FIRESTORE_DATABASE,
    emulatorHost: config.FIRESTORE_EMULATOR_HOST,
  });
  const where = config.FIRESTORE_EMULATOR_HOST
    ? `the Firestore emulator at ${config.FIRESTORE_EMULATOR_HOST}`
    : 'Firestore';
  try {
    io.err(
      `seed: writing ${flags.orders.toLocaleString('en-US')} orders for ${flags.day} (${flags.timeZone}) ` +
        `into project ${config.GOOGLE_CLOUD_PROJECT} on ${where}`,
    );
    const started = performance.now();
    const kinds: Record<StorefrontEvent['type'], number> = {
      'order.created': 0,
      'order.cancelled': 0,
      'order.shipped': 0,
      'order.completed': 0,
    };
    const counted = function* () {
      for (const e of generateDay(flags)) {
        kinds[e.type]++;
        yield e;
      }
    };
    // Order documents: the orders, plus the few cancellations whose order never arrives (generate.ts).
    const documents = flags.orders + Math.floor(flags.orders / 2000);
    const step = Math.max(1, Math.ceil(documents / 20));
    let nextReport = step;
    const written = await writeEvents(db, counted(), {
      batchOrders: flags.batch,
      concurrency: flags.concurrency,
      now,
      onProgress: ({ orders }) => {
        if (orders < nextReport && orders < documents) return;
        nextReport = (Math.floor(orders / step) + 1) * step;
        const s = (performance.now() - started) / 1000;
        io.err(
          `seed: ${Math.min(100, Math.floor((orders * 100) / documents))}% ${orders.toLocaleString('en-US')} orders, ${rate(orders, s)} orders/s`,
        );
      },
    });
    const seconds = (performance.now() - started) / 1000;
    io.err('seed: reading the stored orders back for the expected report');
    const readStart = performance.now();
    const docs = await readOrders(db, {
      every: 50_000,
      onRead: (read) => io.err(`seed: read ${read.toLocaleString('en-US')} orders`),
    });
    const readSeconds = (performance.now() - readStart) / 1000;
    const report = expectedReport(docs, { day: flags.day, timeZone: flags.timeZone, generatedAt: now().toISOString() });
    mkdirSync(dirname(flags.out), { recursive: true });
    writeFileSync(flags.out, JSON.stringify(report, null, 2) + '\n');
    const n = (x: number) => x.toLocaleString('en-US');
    io.out(
      `Seeded ${flags.day} (${flags.timeZone}, seed ${flags.seed}) into project ${config.GOOGLE_CLOUD_PROJECT} on ${where}`,
    );
    io.out(
      `  orders:   ${n(written.orders)} documents (${n(kinds['order.created'])} orders, the rest cancellations whose order never arrives)`,
    );
    io.out(
      `  events:   ${n(written.events)} (${n(kinds['order.created'])} created, ` +
        `${n(kinds['order.cancelled'])} cancelled, ${n(kinds['order.shipped'])} shipped)`,
    );
    io.out(
      `  written:  ${seconds.toFixed(1)} s, ${rate(kinds['order.created'], seconds)} orders/s ` +
        `(batches of ${flags.batch}, ${flags.concurrency} in flight)`,
    );
    io.out(
      `  expected: ${relative(process.cwd(), flags.out)} (from ${n(docs.length)} stored orders read in ${readSeconds.toFixed(1)} s)`,
    );
    io.out(
      `            ${n(report.orderCount)} orders that day; ${Object.entries(report.currencies)
        .map(([c, f]) => `${c} ${n(f.orders)} + ${n(f.cancelledOrders)} cancelled`)
        .join(', ')}`,
    );
    return 0;
  } finally {
    await db.terminate();
  }
}

const rate = (count: number, seconds: number) => Math.round(count / Math.max(seconds, 0.001)).toLocaleString('en-US');

function parseFlags(argv: string[], env: Record<string, string | undefined>) {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      day: { type: 'string' },
      orders: { type: 'string' },
      currencies: { type: 'string', default: 'EUR,USD,JPY' },
      cancelled: { type: 'string', default: '0.05' },
      seed: { type: 'string', default: '7' },
      'time-zone': { type: 'string' },
      out: { type: 'string' },
      batch: { type: 'string', default: '150' },
      concurrency: { type: 'string', default: '8' },
      state: { type: 'string' },
    },
  });
  const fail = (flag: string, why: string): never => {
    throw new Error(`--${flag} ${why}`);
  };
  const int = (flag: string, s: string | undefined, min: number, max: number) => {
    const x = Number(s);
    return Number.isInteger(x) && x >= min && x <= max
      ? x
      : fail(flag, `must be a whole number from ${min} to ${max} (got ${s ?? 'nothing'})`);
  };
  const day = v.day ?? fail('day', 'is required (YYYY-MM-DD)');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day)
    fail('day', `must be a calendar day YYYY-MM-DD (got ${day})`);
  const timeZone = v['time-zone'] ?? env.STORE_TIME_ZONE ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    fail('time-zone', `must be an IANA time zone such as Europe/Berlin (got ${timeZone})`);
  }
  const currencies = v.currencies.split(',').map((c) => c.trim());
  for (const c of currencies)
    if (!Currency.safeParse(c).success)
      fail('currencies', `must be ISO 4217 codes separated by commas (got ${c || 'an empty one'})`);
  const cancelled = Number(v.cancelled);
  if (!(cancelled >= 0 && cancelled <= 1)) fail('cancelled', `must be a fraction from 0 to 1 (got ${v.cancelled})`);
  return {
    day,
    timeZone,
    currencies,
    cancelled,
    orders: int('orders', v.orders, 1, 10_000_000),
    seed: int('seed', v.seed, 0, 2 ** 32 - 1),
    batch: int('batch', v.batch, 1, 160),
    concurrency: int('concurrency', v.concurrency, 1, 64),
    out: v.out ?? join(import.meta.dirname, '..', '.local', 'seed', `expected-report-${day}.json`),
  };
}

if (import.meta.main) {
  // The dev stack of `--state <dir>` (default .local), as npm run report takes it; a missing stack is a message, not a stack trace.
  const argv = process.argv.slice(2);
  const state = argv[argv.indexOf('--state') + 1];
  const env = (() => {
    try {
      return settings(process.env, ...(argv.includes('--state') && state ? [stackFile(resolve(state))] : []));
    } catch (err) {
      console.error((err as Error).message);
      process.exit(1);
    }
  })();
  runSeed(argv, env, { out: console.log, err: console.error }).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
