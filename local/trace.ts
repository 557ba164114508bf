/**
 * `npm run trace -- <orderId>`: one order's journey through the system, as a timeline: each webhook delivery, its
 * status changes, the tasks its events created and each of their attempts, the email, and the trace id that ties
 * their log lines together. `--run <day>[/<run>]` does the same for a daily-report run.
 *
 * Locally it reads the running `npm run dev` stack (`<state>/stack.json`): Firestore, the tasks emulator's dispatch
 * log and the mail sink's outbox, as the console's order page does. With `--project P` it reads the real project's
 * Firestore (application default credentials; `FIRESTORE_EMULATOR_HOST` is honoured) and prints what it holds of
 * the order, personal data masked, then the Cloud Logging query and the `gcloud logging read` command for its trace.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { firestoreData } from './console/firestore-data.ts';
import { orderTimeline, runTimeline, timelineText, type Timeline } from './console/timeline.ts';
import { mailApi, tasksApi } from './console/upstream.ts';
import { readStack, stackFile } from './stack-file.ts';
import { createFirestore } from '../shared/firestore.ts';
import { redact } from '../shared/log.ts';
import { createOrders, type EventDoc, type OrderDoc } from '../shared/orders.ts';
import { traceResource } from '../shared/trace.ts';

const USAGE = `usage: npm run trace -- <orderId> [--state .local | --stack <file>] [--json]
       npm run trace -- --run <day>[/<run>] [--state .local | --stack <file>] [--json]
       npm run trace -- <orderId> --project <project> [--database "(default)"]`;

type Print = (line: string) => void;

/** Runs the command; returns the exit code (0 found, 1 not found or no stack, 2 bad arguments). */
export async function runTrace(
  argv: string[],
  env: Record<string, string | undefined>,
  print: Print = console.log,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        run: { type: 'string' },
        project: { type: 'string' },
        database: { type: 'string', default: '(default)' },
        state: { type: 'string' },
        stack: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    print(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values: o, positionals } = parsed;
  if (o.help) return (print(USAGE), 0);
  const orderId = positionals[0];
  const run = o.run ? /^(\d{4}-\d{2}-\d{2})(?:\/([a-z0-9][a-z0-9-]{0,39}))?$/.exec(o.run) : undefined;
  if (o.run && !run) return (print(`--run must be a day (YYYY-MM-DD) or day/run, got "${o.run}"\n${USAGE}`), 2);
  if (!run && !orderId) return (print(`Give an order id (or --run <day>).\n${USAGE}`), 2);
  if (positionals.length > 1 || (run && orderId))
    return (
      print(
        `Give one order id or one --run, got ${[...positionals, ...(o.run ? [`--run ${o.run}`] : [])].join(', ')}\n${USAGE}`,
      ),
      2
    );
  if (o.project) {
    if (!orderId) return (print(`--project shows an order: give its id.\n${USAGE}`), 2);
    return projectOrder(o.project, o.database!, orderId, env.FIRESTORE_EMULATOR_HOST, print);
  }

  const file = resolve(o.stack ?? stackFile(o.state ?? join(import.meta.dirname, '..', '.local')));
  let stack;
  try {
    stack = readStack(file);
  } catch (err) {
    return (print((err as Error).message), 1);
  }
  const data = firestoreData({ project: stack.project, firestoreHost: stack.firestore.host, opsEnv: () => ({}) });
  try {
    const deps = {
      tasks: tasksApi(stack.tasksEmulator.url, stack.project, stack.location),
      mail: mailApi(stack.mailSink.url),
      data,
    };
    const t: Timeline | undefined = run
      ? await runTimeline(deps, run[1]!, run[2] ?? 'scheduled')
      : await orderTimeline(deps, orderId!);
    if (!t)
      return (
        print(
          run
            ? `No report run ${run[1]}/${run[2] ?? 'scheduled'} in the local stack's Firestore.`
            : `No order ${orderId} in the local stack's Firestore.`,
        ),
        1
      );
    if (o.json) print(JSON.stringify(t, null, 2));
    else for (const line of timelineText(t)) print(line);
    return 0;
  } finally {
    await data.close();
  }
}

/** What the project's Firestore holds of the order, and where its logs are. */
async function projectOrder(
  project: string,
  database: string,
  orderId: string,
  emulatorHost: string | undefined,
  print: Print,
): Promise<number> {
  const db = createFirestore({ projectId: project, databaseId: database, emulatorHost });
  try {
    const [snap, events] = await Promise.all([
      db.collection('orders').doc(orderId).get(),
      db.collection('events').where('orderId', '==', orderId).get(),
    ]);
    const order = snap.data() as OrderDoc | undefined;
    if (!order && events.empty)
      return (print(`No order ${orderId} in the Firestore of ${project} (database ${database}).`), 1);
    const orders = createOrders(db);
    print(
      `order ${orderId} in ${project} · ${order?.status ?? 'not created yet'} · trace ${order?.traceId ?? '(none recorded)'}`,
    );
    print(`orders/${orderId} (personal data masked):`);
    print(JSON.stringify(redact({ ...order, createdAt: order?.createdAt?.toDate().toISOString() }), null, 2));
    const traces = new Set(order?.traceId ? [order.traceId] : []);
    for (const e of events.docs
      .map((d) => d.data() as EventDoc)
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))) {
      print(
        `events/${e.eventId}: ${e.type}, received ${e.receivedAt}` +
          (e.tasks ? `, tasks ${e.tasks.map((t) => t.name).join(', ') || 'none'}` : ', tasks not yet created'),
      );
      for (const n of await orders.deliveriesOf(e.eventId)) {
        print(
          `  delivered ${n.at} by ${n.platform}${n.deliveryId ? ` (delivery ${n.deliveryId})` : ''}: ` +
            `${n.status ?? ''} ${n.answer}${n.code ? ` (${n.code})` : ''}${n.traceId ? `, request trace ${n.traceId}` : ''}`,
        );
        if (n.traceId) traces.add(n.traceId);
      }
    }
    if (!traces.size)
      return (
        print('No trace id recorded for this order: search its logs by jsonPayload.orderId and jsonPayload.eventId.'), 0
      );
    // The order's trace holds the journey; a redelivery's own request trace holds Cloud Run's request log of it.
    const query = [...traces].map((t) => `trace="${traceResource(project, t)}"`).join(' OR ');
    print('Cloud Logging query (Logs Explorer):');
    print(`  ${query}`);
    print('The same with gcloud:');
    print(
      `  gcloud logging read '${query}' --project ${project} --freshness 30d --order asc ` +
        `--format 'table(timestamp, severity, resource.labels.service_name, jsonPayload.message)'`,
    );
    return 0;
  } finally {
    await db.terminate();
  }
}

if (import.meta.main) process.exitCode = await runTrace(process.argv.slice(2), process.env);
