/**
 * `npm run dead-letters -- list | show <id> | redrive [--queue q] [--id x] [--dry-run] [--force]`
 *
 * Inspects and redrives the dead letters that task targets write to Firestore (`deadLetters/`). Works locally
 * (settings from `.local/stack.json` written by `npm run dev`, or the environment) and against a real project
 * (application default credentials, settings from the environment). Redrive enqueues a fresh task with the same
 * payload (so its idempotency key, and so the exactly-once delivery record, is kept) and marks the dead letter;
 * redriving again skips it unless --force, and even then sends nothing twice.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { BaseEnv, FirestoreEnv, TasksEnv, loadConfig } from '../shared/config.ts';
import { createDeadLetters, type DeadLetterDoc } from '../shared/dead-letters.ts';
import { AppError } from '../shared/errors.ts';
import { QUEUE_SCHEMAS, queueConfig, type QueueName } from '../shared/queues.ts';
import { createFirestore } from '../shared/firestore.ts';
import { createEnqueuer, createTasksClient, type Enqueue } from '../shared/tasks.ts';
import { audienceSetting, settingsEnv, urlSetting } from './settings/stack-env.ts';
import { readStack, type StackInfo } from '../local/stack-file.ts';
import { stackSettingsOf } from './settings/stack-env.ts';

/** `list` and `show` read Firestore only; `redrive` also enqueues. */
const ReadEnv = BaseEnv.extend(FirestoreEnv.shape).passthrough();
const Env = ReadEnv.extend(TasksEnv.shape).passthrough();

const USAGE = `usage: npm run dead-letters -- list [--queue q] [--json]
       npm run dead-letters -- show <id>
       npm run dead-letters -- redrive [--queue q] [--id x] [--dry-run] [--force]`;

export const NO_STACK =
  'no dev stack is running here; start it with npm run dev, or set GOOGLE_CLOUD_PROJECT for a real project';
type Env = Record<string, string | undefined>;
const defaultStackFile = join(import.meta.dirname, '..', '.local', 'stack.json');

/**
 * Settings: the environment when it sets `GOOGLE_CLOUD_PROJECT` (a real project); otherwise the running dev stack's
 * `.local/stack.json`, turned into the functions' settings by the one settings table (so `npm run dead-letters --
 * list` just works locally). Throws NO_STACK when neither is there (or the stack's runner is gone).
 */
export function settings(
  env: Record<string, string | undefined>,
  stackFile = defaultStackFile,
): Record<string, string | undefined> {
  if (env.GOOGLE_CLOUD_PROJECT) return env;
  const stack = runningStack(stackFile);
  if (!stack) throw new Error(NO_STACK);
  const fns = Object.entries(stack.functions).map(([name, f]) => ({ name, access: f.access, url: f.url }));
  const fromStack = settingsEnv(stackSettingsOf(stack), { name: 'dead-letters', access: 'public', url: '' }, fns);
  for (const [name, fn] of Object.entries(stack.functions))
    if (fn.audience) fromStack[audienceSetting(name)] = fn.audience;
  return { ...fromStack, ...env };
}

/** The stack.json of a runner that still runs, if any. */
function runningStack(file: string): StackInfo | undefined {
  if (!existsSync(file)) return undefined;
  const stack = readStack(file);
  try {
    process.kill(stack.runner.pid, 0);
    return stack;
  } catch {
    return undefined;
  }
}

/** Runs one command; returns the exit code. `print` receives each output line; `env` is read once the command is known. */
export async function runDeadLetters(
  argv: string[],
  env: Env | (() => Env),
  print: (line: string) => void = console.log,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      queue: { type: 'string' },
      id: { type: 'string' },
      'dry-run': { type: 'boolean' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const [command, arg] = positionals;
  if (!command || !['list', 'show', 'redrive'].includes(command) || (command === 'show' && !arg)) {
    print(USAGE);
    return 2;
  }
  const config = loadConfig(command === 'redrive' ? Env : ReadEnv, typeof env === 'function' ? env() : env) as z.output<
    typeof Env
  > &
    Record<string, string | undefined>;
  const db = createFirestore({
    projectId: config.GOOGLE_CLOUD_PROJECT,
    databaseId: config.FIRESTORE_DATABASE,
    emulatorHost: config.FIRESTORE_EMULATOR_HOST,
  });
  const deadLetters = createDeadLetters(db);
  try {
    if (command === 'show') {
      const letter = await deadLetters.get(arg!);
      if (!letter) {
        print(`No dead letter ${arg}`);
        return 1;
      }
      print(JSON.stringify(letter, null, 2));
      return 0;
    }
    const letters = (
      await deadLetters.list(values.queue ? { queue: values.queue, limit: 1000 } : { limit: 1000 })
    ).filter((l) => !values.id || l.id === values.id);
    if (command === 'list') {
      if (values.json) print(JSON.stringify(letters, null, 2));
      else print(table(letters));
      return 0;
    }
    return await redrive(letters, config, deadLetters, { dryRun: !!values['dry-run'], force: !!values.force }, print);
  } finally {
    await db.terminate();
  }
}

async function redrive(
  letters: DeadLetterDoc[],
  config: Record<string, string | undefined> & {
    GOOGLE_CLOUD_PROJECT: string;
    TASKS_LOCATION: string;
    TASKS_INVOKER_SERVICE_ACCOUNT: string;
    CLOUD_TASKS_EMULATOR_HOST?: string | undefined;
  },
  deadLetters: ReturnType<typeof createDeadLetters>,
  o: { dryRun: boolean; force: boolean },
  print: (line: string) => void,
): Promise<number> {
  const queues = queueConfig().queues;
  const targetUrl = (queue: string) => {
    const target = queues.find((q) => q.name === queue)?.target;
    const key = target ? urlSetting(target) : '';
    return { key, url: config[key], audience: target ? config[audienceSetting(target)] : undefined };
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
        targets: { [queue]: { url: target.url, audience: target.audience ?? target.url } } as Partial<
          Record<QueueName, { url: string }>
        >,
      });
      enqueuers.set(queue, enqueue);
    }
    return enqueue;
  };
  let failed = 0;
  for (const letter of letters) {
    if (letter.redrivenAt && !o.force) {
      print(
        `skip ${letter.id}: already redriven at ${letter.redrivenAt} as ${letter.redriveTask} (--force to redrive again)`,
      );
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
      // The redriven task continues the trace the task was in, so its attempts join the same journey in the logs.
      const trace = letter.traceId ? { trace: { traceId: letter.traceId, sampled: letter.traceSampled ?? false } } : {};
      const task = await enqueue(queue, letter.payload as never, {
        idempotencyKey: `redrive:${letter.id}:${letter.redrivenAt ?? ''}`,
        ...trace,
      });
      await deadLetters.markRedriven(letter.id, task.name);
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
  const rows = letters.map((l) => [
    l.id,
    l.queue,
    l.kind ?? '',
    String(l.attempts),
    l.lastError.code,
    l.lastFailedAt,
    l.redrivenAt ? `redriven ${l.redrivenAt}` : '',
  ]);
  const head = ['id', 'queue', 'kind', 'attempts', 'last error', 'last failed', 'state'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

if (import.meta.main) {
  runDeadLetters(process.argv.slice(2), () => settings(process.env)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
