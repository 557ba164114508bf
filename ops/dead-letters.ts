/**
 * `npm run dead-letters -- list | show <id> | redrive [--queue q] [--id x] [--dry-run] [--force]`
 *
 * Inspects and redrives the dead letters that task targets write to Firestore (`deadLetters/`). Works locally
 * (settings from `.local/stack.json` written by `npm run dev`, or the environment) and against a real project
 * (application default credentials, settings from the environment). Redrive enqueues a fresh task with the same
 * payload (so its idempotency key, and so the exactly-once delivery record, is kept) and marks the dead letter;
 * redriving again skips it unless --force, and even then sends nothing twice.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BaseEnv, FirestoreEnv, TasksEnv, loadConfig } from '../shared/config.ts';
import { createDeliveries, type DeadLetterDoc } from '../shared/deliveries.ts';
import { AppError } from '../shared/errors.ts';
import { QUEUE_SCHEMAS, queueConfig, type QueueName } from '../shared/queues.ts';
import { createFirestore } from '../shared/store.ts';
import { createEnqueuer, createTasksClient, type Enqueue } from '../shared/tasks.ts';

const Env = BaseEnv.extend(FirestoreEnv.shape).extend(TasksEnv.shape).passthrough();

const USAGE = `usage: npm run dead-letters -- list [--queue q] [--json]
       npm run dead-letters -- show <id>
       npm run dead-letters -- redrive [--queue q] [--id x] [--dry-run] [--force]`;

/**
 * Settings: the environment; or, when `GOOGLE_CLOUD_PROJECT` is not set and a dev stack is running, the values of
 * its `.local/stack.json` (so `npm run dead-letters -- list` just works locally, and setting the project always
 * means the real one).
 */
export function settings(env: Record<string, string | undefined>, stackFile = join(import.meta.dirname, '..', '.local', 'stack.json')): Record<string, string | undefined> {
  if (env.GOOGLE_CLOUD_PROJECT || !existsSync(stackFile)) return env;
  const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as {
    project: string;
    location: string;
    functions: Record<string, { url: string; audience?: string }>;
    tasksEmulator: { host: string };
    firestore: { host: string };
    serviceAccounts: { tasksInvoker: string };
  };
  const fromStack: Record<string, string> = {
    GOOGLE_CLOUD_PROJECT: stack.project,
    TASKS_LOCATION: stack.location,
    TASKS_INVOKER_SERVICE_ACCOUNT: stack.serviceAccounts.tasksInvoker,
    CLOUD_TASKS_EMULATOR_HOST: stack.tasksEmulator.host,
    FIRESTORE_EMULATOR_HOST: stack.firestore.host,
  };
  for (const [name, fn] of Object.entries(stack.functions)) {
    const key = name.toUpperCase().replaceAll('-', '_');
    fromStack[`${key}_URL`] = fn.url;
    if (fn.audience) fromStack[`${key}_AUDIENCE`] = fn.audience;
  }
  return { ...fromStack, ...env };
}

/** Runs one command; returns the exit code. `print` receives each output line. */
export async function runDeadLetters(argv: string[], env: Record<string, string | undefined>, print: (line: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { queue: { type: 'string' }, id: { type: 'string' }, 'dry-run': { type: 'boolean' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const [command, arg] = positionals;
  if (!command || !['list', 'show', 'redrive'].includes(command) || (command === 'show' && !arg)) {
    print(USAGE);
    return 2;
  }
  const config = loadConfig(Env, env) as z.output<typeof Env> & Record<string, string | undefined>;
  const db = createFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT, databaseId: config.FIRESTORE_DATABASE, emulatorHost: config.FIRESTORE_EMULATOR_HOST });
  const deliveries = createDeliveries(db);
  try {
    if (command === 'show') {
      const letter = await deliveries.getDeadLetter(arg!);
      if (!letter) {
        print(`No dead letter ${arg}`);
        return 1;
      }
      print(JSON.stringify(letter, null, 2));
      return 0;
    }
    const letters = (await deliveries.listDeadLetters(values.queue ? { queue: values.queue, limit: 1000 } : { limit: 1000 })).filter((l) => !values.id || l.id === values.id);
    if (command === 'list') {
      if (values.json) print(JSON.stringify(letters, null, 2));
      else print(table(letters));
      return 0;
    }
    return await redrive(letters, config, deliveries, { dryRun: !!values['dry-run'], force: !!values.force }, print);
  } finally {
    await db.terminate();
  }
}

async function redrive(
  letters: DeadLetterDoc[],
  config: Record<string, string | undefined> & { GOOGLE_CLOUD_PROJECT: string; TASKS_LOCATION: string; TASKS_INVOKER_SERVICE_ACCOUNT: string; CLOUD_TASKS_EMULATOR_HOST?: string | undefined },
  deliveries: ReturnType<typeof createDeliveries>,
  o: { dryRun: boolean; force: boolean },
  print: (line: string) => void,
): Promise<number> {
  const queues = queueConfig().queues;
  const targetUrl = (queue: string) => {
    const target = queues.find((q) => q.name === queue)?.target;
    const key = target ? `${target.toUpperCase().replaceAll('-', '_')}_URL` : '';
    return { key, url: config[key], audience: config[key.replace(/_URL$/, '_AUDIENCE')] };
  };
  const client = createTasksClient({ emulatorHost: config.CLOUD_TASKS_EMULATOR_HOST });
  const enqueuers = new Map<QueueName, Enqueue<typeof QUEUE_SCHEMAS>>();
  const enqueuerFor = (queue: QueueName, target: { url: string; audience: string | undefined }) => {
    let enqueue = enqueuers.get(queue);
    if (!enqueue) {
      enqueue = createEnqueuer({
        client,
        project: config.GOOGLE_CLOUD_PROJECT,
        location: config.TASKS_LOCATION,
        serviceAccount: config.TASKS_INVOKER_SERVICE_ACCOUNT,
        schemas: QUEUE_SCHEMAS,
        targets: { [queue]: { url: target.url, audience: target.audience ?? target.url } } as Partial<Record<QueueName, { url: string }>>,
      });
      enqueuers.set(queue, enqueue);
    }
    return enqueue;
  };
  let failed = 0;
  for (const letter of letters) {
    if (letter.redrivenAt && !o.force) {
      print(`skip ${letter.id}: already redriven at ${letter.redrivenAt} as ${letter.redriveTask} (--force to redrive again)`);
      continue;
    }
    if (!(letter.queue in QUEUE_SCHEMAS)) {
      print(`skip ${letter.id}: unknown queue "${letter.queue}"`);
      failed++;
      continue;
    }
    const queue = letter.queue as QueueName;
    const target = targetUrl(queue);
    if (!target.url) {
      print(`skip ${letter.id}: set ${target.key} to the URL of the queue's target`);
      failed++;
      continue;
    }
    if (o.dryRun) {
      print(`would redrive ${letter.id} to ${queue} (${target.url})`);
      continue;
    }
    const enqueue = enqueuerFor(queue, { url: target.url, audience: target.audience });
    try {
      // The dead letter's id (and the redrive count) make the task id: a repeated redrive is deduplicated by Cloud
      // Tasks, and the payload's own idempotency key keeps the email from being sent twice in any case.
      const task = await enqueue(queue, letter.payload as never, { idempotencyKey: `redrive:${letter.id}:${letter.redrivenAt ?? ''}` });
      await deliveries.markRedriven(letter.id, task.name);
      print(`redrove ${letter.id} as ${task.name}${task.duplicate ? ' (already enqueued)' : ''}`);
    } catch (err) {
      failed++;
      print(`could not redrive ${letter.id}: ${err instanceof AppError ? `${err.code}: ${err.message}` : String(err)}`);
    }
  }
  return failed ? 1 : 0;
}

function table(letters: DeadLetterDoc[]): string {
  if (!letters.length) return 'No dead letters.';
  const rows = letters.map((l) => [l.id, l.queue, l.kind ?? '', String(l.attempts), l.lastError.code, l.lastFailedAt, l.redrivenAt ? `redriven ${l.redrivenAt}` : '']);
  const head = ['id', 'queue', 'kind', 'attempts', 'last error', 'last failed', 'state'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

if (import.meta.main) {
  runDeadLetters(process.argv.slice(2), settings(process.env)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
