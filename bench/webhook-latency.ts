/**
 * storefront-webhook latency on one instance: the bundle from its own deploy folder, against the Firestore
 * emulator and our Cloud Tasks emulator (queue paused, so dispatches do not compete). Signed order.created events,
 * sequentially and 8 at a time; p50, p99 and max per phase.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startEmulator } from '../local/tasks-emulator/index.ts';
import { signWebhook } from '../shared/signature.ts';
import { created } from '../test/support/events.ts';
import { startFirestoreEmulator } from '../test/support/firestore-emulator.ts';
import { freePort, waitForHttp } from '../test/support/net.ts';
import { stageDeployFolder } from '../test/support/deploy-folder.ts';
import { FUNCTION_ENV } from '../test/support/function-env.ts';

const SECRET = 'whsec_bench_0123456789abcdef';

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

export async function webhookLatency(n = 300): Promise<Record<string, unknown>[]> {
  const firestore = await startFirestoreEmulator();
  const emulator = await startEmulator({ port: 0, project: 'bench', queues: 'queues.json' });
  await fetch(`${emulator.url}/v2/${emulator.queuePath('notifications')}:pause`, { method: 'POST' });
  const { dir, remove } = stageDeployFolder('storefront-webhook');
  const port = await freePort();
  const child = spawn(process.execPath, [join(dir, 'node_modules/@google-cloud/functions-framework/build/src/main.js'), '--target=storefront-webhook', `--port=${port}`], {
    cwd: dir,
    env: {
      PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'WARNING',
      ...FUNCTION_ENV['storefront-webhook'],
      GOOGLE_CLOUD_PROJECT: 'bench', FIRESTORE_EMULATOR_HOST: firestore.host, TASKS_LOCATION: 'us-central1',
      TASKS_INVOKER_SERVICE_ACCOUNT: 'tasks-invoker@bench.iam.gserviceaccount.com', CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${emulator.port}`,
      STOREFRONT_WEBHOOK_SECRETS: SECRET,
    },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/`;
  const send = async (i: number) => {
    const body = JSON.stringify(created(`bench-${i}`, { number: String(i) }));
    const started = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-storefront-signature': signWebhook(SECRET, body, Math.floor(Date.now() / 1000)) }, body });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
    return performance.now() - started;
  };
  try {
    await waitForHttp(url, 30_000);
    for (let i = 0; i < 20; i++) await send(-1 - i); // warm up: connections, JIT, Firestore channel
    const rows: Record<string, unknown>[] = [];
    let next = 0;
    for (const concurrency of [1, 8]) {
      const times: number[] = [];
      const started = performance.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (times.length < n) times.push(await send(next++));
      }));
      const seconds = (performance.now() - started) / 1000;
      times.sort((a, b) => a - b);
      rows.push({ concurrency, requests: times.length, 'p50 ms': +pct(times, 50).toFixed(1), 'p99 ms': +pct(times, 99).toFixed(1), 'max ms': +times.at(-1)!.toFixed(1), 'req/s': +(times.length / seconds).toFixed(1) });
    }
    return rows;
  } finally {
    child.kill('SIGKILL');
    await emulator.close();
    await firestore.stop();
    remove();
  }
}
