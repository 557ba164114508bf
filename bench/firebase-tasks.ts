/**
 * The emulator workload (local/tasks-emulator/bench-workload.ts) against the Cloud Tasks emulator of a firebase-tools
 * installed in a folder (`npm install firebase-tools` there): `node bench/firebase-tasks.ts --firebase=<folder>
 * [--queues=1,4] [--tasks=N] [--rate-tasks=N]` prints one JSON line. `firebase emulators:start --only tasks` does not
 * start it unless there are functions to emulate (lib/emulator/controller.js), so its TasksEmulator runs alone in a
 * child process (firebase-tasks-server.ts, its own process group), the target and the driver in this one.
 * Line numbers cited are those of firebase-tools 15.34.2.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  arg,
  jsonClient,
  runWorkload,
  workloadSize,
  type BenchEmulator,
} from '../local/tasks-emulator/bench-workload.ts';

/** The firebase-tools package in `folder` and its version; throws naming the folder when it has none (or no tasks emulator). */
export function firebaseTools(folder: string): { dir: string; version: string } {
  const dir = join(resolve(folder), 'node_modules', 'firebase-tools');
  if (!existsSync(join(dir, 'package.json'))) {
    throw new Error(
      `--firebase=${folder}: no firebase-tools installed there (${dir} is missing); install it with \`cd ${folder} && npm install firebase-tools\``,
    );
  }
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  if (!existsSync(join(dir, 'lib', 'emulator', 'tasksEmulator.js')))
    throw new Error(
      `--firebase=${folder}: firebase-tools ${version} there has no Cloud Tasks emulator (lib/emulator/tasksEmulator.js; added in 13.16)`,
    );
  return { dir, version };
}

/** What the Firebase emulator cannot do of the workload, and where its source says so. */
const LIMITS = {
  pause:
    'no pause/resume route (its routes: create queue, enqueue, delete task, /queueStats: lib/emulator/tasksEmulator.js:206-209), so tasks are created with the queue running and the time counts from the first create',
  rate: 'a queue gets maxDispatchesPerSecond tokens at once every 1,000 ms (setInterval refill, tasksEmulator.js:43,93; bucket cap taskQueue.js:123), so it dispatches in bursts',
  schedule:
    'scheduleTime is ignored: dispatchTasks dequeues with no time check (lib/emulator/taskQueue.js:129-142) and scheduleTime is only echoed in X-CloudTasks-TaskETA (taskQueue.js:198); https://github.com/firebase/firebase-tools/issues/8254',
  body: 'a task must carry a base64 JSON body (parsed at enqueue, tasksEmulator.js:168; none → 500), so each task carries {}',
};

async function main(): Promise<void> {
  const fb = firebaseTools(arg('firebase', ''));
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(import.meta.dirname, 'firebase-tasks-server.ts'), fb.dir], {
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  // The whole process group: the emulator and anything it started.
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {}
    await exited;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stop().then(() => process.exit(130)));
  let api: ReturnType<typeof jsonClient> | undefined;
  try {
    const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
    if (first.done) throw new Error(`the Firebase tasks emulator from ${fb.dir} exited before listening`);
    const startMs = performance.now() - t0;
    const { call } = (api = jsonClient(JSON.parse(first.value as string).url as string));
    const loc = 'projects/bench/locations/us-central1';
    const firebase: BenchEmulator = {
      queue: async (id, rate) => {
        await call('POST', `/${loc}/queues/${id}`, {
          rateLimits: { maxDispatchesPerSecond: rate, maxConcurrentDispatches: 1000 },
        });
        return `${loc}/queues/${id}`;
      },
      createTask: async (q, url, scheduleTime) => {
        await call('POST', `/${q}/tasks`, {
          task: {
            ...(scheduleTime ? { scheduleTime } : {}),
            httpRequest: { url, body: Buffer.from('{}').toString('base64') },
          },
        });
      },
      // The scheduleTime as given (ISO), or Date.now() in ms when there was none (taskQueue.js:198).
      etaMs: (header) => (/^\d+$/.test(header) ? Number(header) : Date.parse(header)),
    };
    const result = await runWorkload(firebase, workloadSize());
    console.log(JSON.stringify({ firebaseTools: fb.version, startMs: Math.round(startMs), ...result, limits: LIMITS }));
  } finally {
    api?.close();
    await stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
