/**
 * `npm run report -- --day 2026-11-22 [--run <id>] [--wait] [--timeout 600] [--json]`
 *
 * Does what the nightly Cloud Scheduler job does, for one day, and runs its shards now: calls schedule-reports with
 * a Scheduler-shaped OIDC token, then RunTask on every shard task (their scheduleTime, in the off-peak window, is
 * skipped). With --wait it shows each shard's progress and prints reports/{day} once the combine wrote it and every
 * task of the run has left the `reports` queue.
 * Locally (a running `npm run dev`, `.local/stack.json`) the token is signed with the Cloud Tasks emulator's key as
 * the scheduler service account. With GOOGLE_CLOUD_PROJECT set it works on the real project: the ID token comes
 * from your application default credentials, which must be the scheduler service account (e.g.
 * `gcloud auth application-default login --impersonate-service-account=scheduler-invoker@<project>.iam.gserviceaccount.com`),
 * and SCHEDULE_REPORTS_URL and TASKS_LOCATION must be set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GoogleAuth } from 'google-auth-library';
import { importJWK, SignJWT, type JWK } from 'jose';
import { readStack, stackFile } from '../local/stack-file.ts';
import type { ScheduleAnswer } from '../functions/schedule-reports/handle.ts';
import { combineTaskKey, createReportStore, reportTaskKey, runIdOf, type ShardDoc } from '../shared/report-shards.ts';
import { createFirestore } from '../shared/firestore.ts';
import { createTasksClient, taskIdFor } from '../shared/tasks.ts';

const USAGE =
  'usage: npm run report -- --day YYYY-MM-DD [--run <id>] [--wait] [--timeout <seconds>] [--json] [--state .local]';
/** The flags of schedule-reports' body fields, to name them as the user typed them. */
const FLAG_OF: Record<string, string> = { days: '--day', run: '--run' };

interface Target {
  project: string;
  scheduleUrl: string;
  firestoreHost?: string;
  tasksHost?: string;
  token(): Promise<string>;
  /** Whether the task `name` (`projects/…/tasks/<id>`) is still in its queue. */
  taskExists(name: string): Promise<boolean>;
}

/** GET on a task: 200 it is there, 404 it is gone; anything else is an error worth seeing. */
async function exists(res: Response, name: string): Promise<boolean> {
  if (res.status === 404) return false;
  if (res.ok) return true;
  throw new Error(`Cloud Tasks answered ${res.status} to GET ${name}: ${await res.text()}`);
}

function localTarget(state: string): Target {
  const s = readStack(stackFile(state));
  const fn = s.functions['schedule-reports'];
  if (!fn) throw new Error('The running dev stack has no schedule-reports function');
  return {
    project: s.project,
    scheduleUrl: fn.url,
    firestoreHost: s.firestore.host,
    tasksHost: s.tasksEmulator.host,
    async token() {
      const jwk = JSON.parse(readFileSync(join(s.stateDir, 'tasks', 'oidc-key.json'), 'utf8')) as JWK;
      const now = Math.floor(Date.now() / 1000);
      const email = s.serviceAccounts.schedulerInvoker;
      return new SignJWT({ aud: fn.audience ?? fn.url, email, email_verified: true, sub: email })
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid!, typ: 'JWT' })
        .setIssuer(s.tasksEmulator.issuer)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(await importJWK(jwk, 'RS256'));
    },
    taskExists: async (name) => exists(await fetch(`http://${s.tasksEmulator.host}/v2/${name}`), name),
  };
}

function cloudTarget(env: Record<string, string | undefined>): Target {
  const url = env.SCHEDULE_REPORTS_URL;
  if (!url) throw new Error('Set SCHEDULE_REPORTS_URL (the deployed schedule-reports URL) with GOOGLE_CLOUD_PROJECT');
  return {
    project: env.GOOGLE_CLOUD_PROJECT!,
    scheduleUrl: url,
    token: async () => (await new GoogleAuth().getIdTokenClient(url)).idTokenProvider.fetchIdToken(url),
    async taskExists(name) {
      const token = await new GoogleAuth({ scopes: 'https://www.googleapis.com/auth/cloud-platform' }).getAccessToken();
      return exists(
        await fetch(`https://cloudtasks.googleapis.com/v2/${name}`, { headers: { authorization: `Bearer ${token}` } }),
        name,
      );
    },
  };
}

/** Every task of a finished run: each shard's steps (ids from day, run, shard and step) and the combine. */
function runTaskNames(queuePath: string, day: string, run: string, shards: ShardDoc[]): string[] {
  const name = (key: string): string => `${queuePath}/tasks/${taskIdFor('reports', key)}`;
  const steps = shards.flatMap((s) =>
    Array.from({ length: s.step }, (_, step) => name(reportTaskKey({ day, run, shard: s.shard, step }))),
  );
  return [...steps, name(combineTaskKey({ day, run }))];
}

/**
 * The flags of `npm run report`; when npm took them for itself (`npm run report --day X` without `--`: npm keeps
 * the flags and passes only their values), a message that says how to pass them.
 */
function parseFlags(argv: string[], env: Record<string, string | undefined>) {
  const options = {
    day: { type: 'string' },
    run: { type: 'string' },
    wait: { type: 'boolean' },
    timeout: { type: 'string', default: '600' },
    json: { type: 'boolean' },
    state: { type: 'string', default: '.local' },
  } as const;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (err) {
    return { error: `${(err as Error).message}\n${USAGE}` };
  }
  const { values, positionals } = parsed;
  if (positionals.length) {
    const date = positionals.find((p) => /^\d{4}-\d{2}-\d{2}$/.test(p));
    const flags = ['wait', 'json']
      .filter((f) => env[`npm_config_${f}`] === 'true')
      .map((f) => ` --${f}`)
      .join('');
    const hint = `npm run report -- --day ${values.day ?? date ?? 'YYYY-MM-DD'}${flags}`;
    return {
      error:
        `Unexpected argument '${positionals[0]}': npm keeps the flags before \`--\` for itself and passed only their values. ` +
        `Put \`--\` before the flags: ${hint}\n${USAGE}`,
    };
  }
  return { values };
}

/** Runs the command; returns the exit code. */
export async function runReport(
  argv: string[],
  env: Record<string, string | undefined>,
  print: (line: string) => void = console.log,
): Promise<number> {
  const flags = parseFlags(argv, env);
  if (!flags.values) {
    print(flags.error);
    return 2;
  }
  const values = flags.values;
  if (!values.day || !/^\d{4}-\d{2}-\d{2}$/.test(values.day)) {
    print(`${values.day ? `--day must be a date as YYYY-MM-DD, got "${values.day}"` : '--day is required'}\n${USAGE}`);
    return 2;
  }
  const t = env.GOOGLE_CLOUD_PROJECT ? cloudTarget(env) : localTarget(values.state!);
  const res = await fetch(t.scheduleUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.token()}` },
    body: JSON.stringify({ days: [values.day], ...(values.run ? { run: values.run } : {}) }),
  });
  const answer = (await res.json()) as ScheduleAnswer & {
    error?: { message: string; details?: { path: string; message: string }[] };
  };
  if (!res.ok) {
    // Name each refused field as the flag that set it (`days.0` is what --day became in the request body).
    const details = answer.error?.details?.map(
      (d) =>
        `${FLAG_OF[d.path.split('.')[0]!] ?? d.path} ${d.path.startsWith('days') ? values.day : (values.run ?? '')}: ${d.message}`,
    );
    print(
      `schedule-reports answered ${res.status}: ${details?.length ? details.join('; ') : (answer.error?.message ?? JSON.stringify(answer))}`,
    );
    return res.status >= 400 && res.status < 500 ? 2 : 1;
  }
  const day = answer.days[0]!;
  print(
    `schedule-reports: ${day.day} (${day.timeZone}, ${day.hours} hours, run ${day.run}): ` +
      `${answer.enqueued} tasks enqueued, ${answer.found} found${day.done ? '; this run is already combined' : ''}`,
  );
  const client = createTasksClient({ emulatorHost: t.tasksHost });
  // Run every shard now; a task that already ran (or is running) is not found or refuses, which is fine.
  await Promise.all(day.tasks.map((task) => client.runTask({ name: task.name }).catch(() => undefined)));
  if (!values.wait) return 0;

  const db = createFirestore({
    projectId: t.project,
    databaseId: env.FIRESTORE_DATABASE ?? '(default)',
    emulatorHost: t.firestoreHost,
  });
  const reports = createReportStore(db);
  const id = runIdOf(day.day, day.run);
  // The queue of the run's tasks; none when the run was already combined (nothing enqueued, nothing to wait for).
  const queuePath = day.tasks[0]?.name.replace(/\/tasks\/[^/]+$/, '');
  const seen = new Map<number, string>();
  const until = Date.now() + Number(values.timeout) * 1000;
  try {
    for (;;) {
      for (const s of await reports.listShards(id)) {
        const line = `shard ${String(s.shard).padStart(2, '0')}: ${s.done ? 'done' : `step ${s.step}`}, ${s.orders} orders`;
        if (seen.get(s.shard) !== line) print(line);
        seen.set(s.shard, line);
      }
      // Done once the combine wrote the report and every task of the run has left the queue (the combine task
      // ends just after it records the run as combined).
      if ((await reports.getRun(id))?.combinedAt) {
        if (!queuePath) break;
        const names = runTaskNames(queuePath, day.day, day.run, await reports.listShards(id));
        if (!(await Promise.all(names.map((n) => t.taskExists(n)))).includes(true)) break;
      }
      if (Date.now() > until) {
        print(`No report after ${values.timeout} s (${seen.size} of ${day.hours} shards seen)`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const report = await reports.getReport(day.day);
    print(values.json ? JSON.stringify(report) : JSON.stringify(report, null, 2));
    return 0;
  } finally {
    await db.terminate();
  }
}

if (import.meta.main) {
  runReport(process.argv.slice(2), process.env).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
