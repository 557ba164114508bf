/**
 * How big each deployed function is: one row per function, each value overridable by the operator's setting
 * `DEPLOY_<FUNCTION>_<KNOB>` (`DEPLOY_AGGREGATE_ORDERS_MEMORY=1Gi`), checked before deploy.sh changes anything.
 * Figures quoted in `why` are the benchmarks' (BENCHMARKS.md): RSS after the first real request 145–155 MiB, a
 * webhook request 6–15 ms of CPU, a 100,000-order report shard at peak RSS 159 MiB.
 */
import { envName } from './stack-env.ts';

export interface Size {
  /** `--memory`: `<n>Mi` or `<n>Gi`. */
  memory: string;
  /** `--cpu`: vCPUs (a concurrency above 1 needs at least 1). */
  cpu: number;
  /** `--concurrency`: requests one instance serves at once. */
  concurrency: number;
  /** `--timeout`, seconds. */
  timeoutSeconds: number;
  minInstances: number;
  maxInstances: number;
  /** Startup CPU boost (set on the function's Cloud Run service: `gcloud functions deploy` has no flag for it). */
  cpuBoost: boolean;
  /** Why these values, one paragraph for docs/deploying.md. */
  why: string;
}

const webhook = (platformWait: string): Size => ({
  memory: '512Mi',
  cpu: 1,
  concurrency: 32,
  timeoutSeconds: 30,
  minInstances: 1,
  maxInstances: 10,
  cpuBoost: true,
  why:
    'I/O-bound: a request takes 6–15 ms of CPU and otherwise waits on Firestore and Cloud Tasks, so one vCPU serves 32 at once; ' +
    'RSS is about 155 MiB with the client libraries loaded, and 512Mi leaves room for 32 bodies of up to 1 MiB. Cold-start-sensitive: ' +
    `${platformWait}, so one instance stays warm and a cold one starts with boosted CPU. ` +
    '30 s covers the three Firestore and Cloud Tasks calls of a delivery at their 10 s limit; 10 instances take 320 deliveries at once.',
});

/** Every function's size, by function name (test/ops/settings.test.ts keeps it in step with functions/). */
export const SIZES: Record<string, Size> = {
  'storefront-webhook': webhook('the storefront waits on the answer'),
  'shopify-webhook': webhook('Shopify gives up after 5 s and retries'),
  'woocommerce-webhook': webhook('WooCommerce gives up after 5 s'),
  'send-notification': {
    memory: '512Mi',
    cpu: 1,
    concurrency: 8,
    timeoutSeconds: 60,
    minInstances: 0,
    maxInstances: 5,
    cpuBoost: true,
    why:
      "I/O-bound (SendGrid, Firestore): 8 at once per vCPU; 5 × 8 = 40 covers the `notifications` queue's 20 concurrent " +
      'dispatches, so Cloud Tasks never meets a full service. No one waits on a task, so no warm instance; 60 s covers ' +
      "SendGrid's 10 s limit and the delivery's Firestore calls.",
  },
  'aggregate-orders': {
    memory: '512Mi',
    cpu: 1,
    concurrency: 1,
    timeoutSeconds: 600,
    minInstances: 0,
    maxInstances: 5,
    cpuBoost: false,
    why:
      'One shard step per instance: memory stays flat (peak RSS 159 MiB on a 100,000-order shard) and the reading budget ' +
      "(240 s) is the instance's own; 600 s covers that budget plus writing the step, as the tasks' dispatch deadline does. " +
      "5 instances match the `reports` queue's 5 concurrent dispatches. A nightly batch: no warm instance, no boost.",
  },
  'schedule-reports': {
    memory: '256Mi',
    cpu: 1,
    concurrency: 1,
    timeoutSeconds: 300,
    minInstances: 0,
    maxInstances: 1,
    cpuBoost: false,
    why:
      'Called once a night by Cloud Scheduler (or by hand for a backfill): one call at a time, RSS about 150 MiB with the client libraries loaded; ' +
      '300 s covers enqueueing a backfill of many store-days. Nobody waits on it: no warm instance, no boost.',
  },
};

/** The knobs and how an override is read and checked; the setting is `DEPLOY_<FUNCTION>_<KNOB>`. */
const KNOBS: {
  [K in Exclude<keyof Size, 'why'>]: { name: string; parse: (v: string) => Size[K] | undefined; expect: string };
} = {
  memory: {
    name: 'MEMORY',
    parse: (v) => (/^[1-9]\d*(Mi|Gi)$/.test(v) ? v : undefined),
    expect: 'a size like 512Mi or 1Gi',
  },
  cpu: { name: 'CPU', parse: (v) => number(v, (n) => n > 0 && n <= 8), expect: 'vCPUs, more than 0 and at most 8' },
  concurrency: { name: 'CONCURRENCY', parse: (v) => int(v, 1, 1000), expect: 'a whole number from 1 to 1000' },
  timeoutSeconds: {
    name: 'TIMEOUT',
    parse: (v) => int(v.replace(/s$/, ''), 1, 3600),
    expect: 'seconds from 1 to 3600 (600 or 600s)',
  },
  minInstances: { name: 'MIN_INSTANCES', parse: (v) => int(v, 0, 1000), expect: 'a whole number from 0 to 1000' },
  maxInstances: { name: 'MAX_INSTANCES', parse: (v) => int(v, 1, 1000), expect: 'a whole number from 1 to 1000' },
  cpuBoost: {
    name: 'CPU_BOOST',
    parse: (v) => (v === 'true' ? true : v === 'false' ? false : undefined),
    expect: 'true or false',
  },
};
const number = (v: string, ok: (n: number) => boolean) =>
  /^\d+(\.\d+)?$/.test(v) && ok(Number(v)) ? Number(v) : undefined;
const int = (v: string, min: number, max: number) => number(v, (n) => Number.isInteger(n) && n >= min && n <= max);

/** The setting that overrides `knob` of function `fn`, e.g. `DEPLOY_AGGREGATE_ORDERS_MEMORY`. */
export const sizeSetting = (fn: string, knob: Exclude<keyof Size, 'why'>): string =>
  `DEPLOY_${envName(fn)}_${KNOBS[knob].name}`;

/** Function `fn`'s size with the overrides of `env`; `problems` names each bad setting. */
export function sizeOf(fn: string, env: Record<string, string | undefined>): { size: Size; problems: string[] } {
  const base = SIZES[fn];
  if (!base) throw new Error(`No size for function ${fn} in ops/settings/sizing.ts`);
  const size: Size = { ...base };
  const problems: string[] = [];
  for (const knob of Object.keys(KNOBS) as (keyof typeof KNOBS)[]) {
    const setting = sizeSetting(fn, knob);
    const raw = env[setting];
    if (!raw) continue;
    const value = KNOBS[knob].parse(raw.trim());
    if (value === undefined) problems.push(`${fn}: ${setting}: "${raw}" is not ${KNOBS[knob].expect}`);
    else (size as unknown as Record<string, unknown>)[knob] = value;
  }
  if (!problems.length && size.minInstances > size.maxInstances) {
    problems.push(
      `${fn}: ${sizeSetting(fn, 'minInstances')} (${size.minInstances}) is above ${sizeSetting(fn, 'maxInstances')} (${size.maxInstances})`,
    );
  }
  if (!problems.length && size.concurrency > 1 && size.cpu < 1) {
    problems.push(
      `${fn}: a concurrency of ${size.concurrency} needs at least 1 vCPU (${sizeSetting(fn, 'cpu')} is ${size.cpu})`,
    );
  }
  return { size, problems };
}

/** The `gcloud functions deploy` flags of a size. */
export const sizeFlags = (s: Size): string[] => [
  `--memory=${s.memory}`,
  `--cpu=${s.cpu}`,
  `--concurrency=${s.concurrency}`,
  `--timeout=${s.timeoutSeconds}s`,
  `--min-instances=${s.minInstances}`,
  `--max-instances=${s.maxInstances}`,
];

/** The sizing table for docs/deploying.md: one row per function. */
export function sizingTable(): string {
  const rows = Object.entries(SIZES).map(
    ([fn, s]) =>
      `| \`${fn}\` | ${s.memory} | ${s.cpu} | ${s.concurrency} | ${s.timeoutSeconds} s | ${s.minInstances} | ${s.maxInstances} | ${s.cpuBoost ? 'yes' : 'no'} | ${s.why} |`,
  );
  return [
    '| function | memory | CPU | concurrency | timeout | min | max | CPU boost | why |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
