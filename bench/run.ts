/**
 * `npm run bench [-- [--quick] [--before=<dist dir>] [--compare=<label>=<dist dir>…] [--firestore-rest] [--no-compile-cache] [--preload-after-listen] [--firebase=<folder>] [section…]]`: every benchmark, one table
 * printed and bench/results.json written. Sections: cold-start, bundles, webhook, overhead, emulator, reports (when
 * bench/reports.ts is there) (default: all), and, only when named, breakdown (where a first real request's time goes)
 * and burst (`burst [--orders N] [--rate R] [--chaos]`: a sale-day burst through the dev stack, bench/burst.ts). A run
 * of named sections only replaces their entries in results.json.
 * `--before` adds another build's dist/ (e.g. main's) as a contender, run alternately with this build. Speed and
 * memory are measured here, never asserted in tests. BENCHMARKS.md explains each figure.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { functionNames } from '../esbuild.config.mjs';
import { stageDeployFolder } from '../test/support/deploy-folder.ts';
import { FUNCTION_ENV } from '../test/support/function-env.ts';
import { breakdown } from './breakdown.ts';
import { bundleSizes, kib } from './bundles.ts';
import { coldStart, stageFloor, type Contender } from './cold-start.ts';
import { emulatorSection } from './emulators.ts';
import { firebaseTools } from './firebase-tasks.ts';
import { produceTasks, realRequests } from './requests.ts';
import { ROOT, startBenchStack, type Variant } from './stack.ts';
import { taskOverhead } from './task-overhead.ts';
import { webhookLatency } from './webhook-latency.ts';

const argv = process.argv.slice(2);
// `--orders 3000` and `--orders=3000` alike (the burst's flags): the value is not a section.
const valued = ['orders', 'rate'];
const args = argv.flatMap((a, i) =>
  valued.includes(a.slice(2)) && a.startsWith('--')
    ? [`${a}=${argv[i + 1] ?? ''}`]
    : i > 0 && valued.includes(argv[i - 1]!.slice(2)) && argv[i - 1]!.startsWith('--')
      ? []
      : [a],
);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const quick = args.includes('--quick');
const before = flag('before');
// `--compare=label=<dist dir>` (repeatable): more builds, each a contender like --before.
const compare = args.filter((a) => a.startsWith('--compare=')).map((a) => a.slice('--compare='.length).split('='));
const firebase = flag('firebase');
const sections = args.filter((a) => !a.startsWith('--'));
// The burst runs only when named (it takes minutes and starts the whole dev stack).
const want = (s: string) => (sections.length === 0 && s !== 'burst') || sections.includes(s);
const burstOrders = Number(flag('orders') ?? 3000);
const burstRate = Number(flag('rate') ?? 30);
if (want('burst') && !(Number.isInteger(burstOrders) && burstOrders > 0 && burstRate > 0)) {
  console.error(
    `burst: --orders must be a whole number above 0 and --rate a number above 0, got ${flag('orders')} and ${flag('rate')}`,
  );
  process.exit(2);
}
// `--firebase=<folder>`: the same emulator workload against the Firebase tasks emulator installed there (checked now).
try {
  if (args.includes('--firebase') || firebase === '')
    throw new Error('--firebase needs the folder firebase-tools is installed in: --firebase=<folder>');
  if (firebase !== undefined && want('emulator')) firebaseTools(firebase);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
// Opt-in: the probed runs of `breakdown` are not cold-start figures.
const breakdownRuns = sections.includes('breakdown') ? (quick ? 2 : 5) : 0;
// `--functions=a,b`: only these functions (cold start, bundles, breakdown).
const names = flag('functions')?.split(',') ?? (functionNames() as string[]);
// Seconds each section took (the --quick run must stay under two minutes).
const laps: Record<string, number> = {};
let lapStart = performance.now();
const lap = (section: string) => {
  laps[section] = Number(((performance.now() - lapStart) / 1000).toFixed(1));
  lapStart = performance.now();
};
const N = quick
  ? { cold: 2, webhook: 40, rounds: 1, overhead: 20, warmup: 5, emulatorTasks: 1000, rateTasks: 150, emulatorRounds: 1 }
  : {
      cold: 9,
      webhook: 300,
      rounds: 3,
      overhead: 200,
      warmup: 20,
      emulatorTasks: 10000,
      rateTasks: 500,
      emulatorRounds: 3,
    };

const rows: { section: string; subject: string; figure: string; value: string }[] = [];
const add = (section: string, subject: string, figure: string, value: string | number) =>
  rows.push({ section, subject, figure, value: String(value) });
const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const results: Record<string, unknown> = {
  when: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    node: process.version,
    loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(1))),
  },
  quick,
  before: before ?? null,
};

const cleanups: (() => void | Promise<void>)[] = [];
// Ctrl-C or a TERM still stops the emulators, functions and staged folders this run started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    for (const c of cleanups.reverse())
      await Promise.resolve()
        .then(c)
        .catch(() => {});
    process.exit(130);
  });
}
try {
  if (want('bundles')) {
    const sizes = bundleSizes(names);
    results.bundles = sizes;
    for (const b of sizes)
      add(
        'bundle',
        b.function,
        'index.js',
        `${kib(b.bytes)} (top: ${b.top.map((t) => `${t.input} ${kib(t.bytes)}`).join(', ')})`,
      );
    lap('bundles');
  }
  let firestoreHost: string | undefined;
  if (want('cold-start') || want('webhook') || want('overhead') || breakdownRuns) {
    const stack = await startBenchStack();
    firestoreHost = stack.firestore.host;
    cleanups.push(() => stack.close());
    const staged = (dist: string | undefined, only = names) =>
      Object.fromEntries(
        only.map((n) => {
          const s = stageDeployFolder(n, dist);
          cleanups.push(s.remove);
          return [n, { kind: 'bundle', dir: s.dir } as Variant];
        }),
      );
    // --quick: only the functions with a real request (the others' ready is the same code path, minus Firestore).
    const measured = quick ? names.filter((n) => n in realRequests([])) : names;
    const thisBuild = staged(undefined, measured);
    const others = [...(before ? [['before', before]] : []), ...compare].map(([label, dist]) => ({
      label: label!,
      variants: staged(dist, measured),
    }));
    // `--firestore-rest`: this build again with @google-cloud/firestore's REST transport (the library reads
    // FIRESTORE_PREFER_REST), to compare with its default gRPC.
    const rest = args.includes('--firestore-rest')
      ? [
          {
            label: 'bundle+rest',
            variants: Object.fromEntries(
              Object.entries(thisBuild).map(([n, v]) => [
                n,
                { ...v, env: { FIRESTORE_PREFER_REST: 'true' } } as Variant,
              ]),
            ),
          },
        ]
      : [];
    const builds = [{ label: 'bundle', variants: thisBuild }, ...rest, ...others];
    const coldTasks = want('cold-start') ? (N.cold + 2) * (builds.length + 2) : 0;
    const overheadTasks = want('overhead') ? (N.overhead + N.warmup) * builds.length : 0;
    const tasks =
      coldTasks + overheadTasks + breakdownRuns
        ? await produceTasks(
            stack,
            thisBuild['storefront-webhook'] ?? staged(undefined, ['storefront-webhook'])['storefront-webhook']!,
            coldTasks + overheadTasks + breakdownRuns,
          )
        : [];

    if (breakdownRuns) {
      const real = realRequests(tasks.splice(0, breakdownRuns));
      const probed = measured
        .filter((n) => real[n])
        .map((n) => ({ name: n, variant: thisBuild[n]!, env: stack.env(n), real: real[n]! }));
      const b = await breakdown(probed, breakdownRuns);
      results.breakdown = b;
      for (const f of b)
        for (const s of f.steps) add('first request', f.function, s.step, `at ${s.startMs} ms, ${s.ms} ms`);
    }

    if (want('cold-start')) {
      const floor = stageFloor(rootPkg.dependencies['@google-cloud/functions-framework']);
      cleanups.push(floor.remove);
      const real = realRequests(tasks.splice(0, coldTasks));
      const functions = measured.map((name) => {
        // Functions without a real request here start with their sample settings (ready only).
        const env = real[name] ? stack.env(name) : (FUNCTION_ENV[name] ?? {});
        const contenders: Contender[] = [
          ...builds.map((b) => ({ label: b.label, variant: b.variants[name]!, env, real: real[name] })),
          // Unbundled TypeScript starts slowest of all (seconds when loaded): left out of the --quick smoke run.
          ...(quick ? [] : [{ label: 'unbundled', variant: { kind: 'unbundled' } as Variant, env, real: real[name] }]),
        ];
        if (args.includes('--preload-after-listen')) {
          // The same folder, its libraries loaded as soon as the server listens instead of on first use.
          const preload = join(import.meta.dirname, 'preload-after-listen.cjs');
          contenders.push({
            label: 'bundle+preload',
            variant: thisBuild[name]!,
            env: { ...env, NODE_OPTIONS: `--enable-source-maps --require=${preload}` },
            real: real[name],
          });
        }
        if (args.includes('--no-compile-cache')) {
          // The same folder with Node's compile cache (filled by its gcp-build) turned off: what the cache gives.
          contenders.push({
            label: 'bundle-uncached',
            variant: thisBuild[name]!,
            env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' },
            real: real[name],
          });
        }
        return { name, contenders };
      });
      lap('stack and staging');
      const cold = await coldStart(
        functions,
        { label: 'floor', variant: { kind: 'floor', dir: floor.dir }, env: {} },
        N.cold,
        !quick,
      );
      results.coldStart = cold;
      lap('cold-start');
      for (const r of cold) {
        const first = r.firstRequestMs
          ? `; first real request ${r.firstRequestMs.median} ms (${r.firstRequestMs.min}–${r.firstRequestMs.max}) = ${r.firstRequestRatio}×`
          : '';
        add(
          'cold start',
          `${r.function} [${r.contender}]`,
          `ready, ${r.runs} runs`,
          `${r.readyMs.median} ms (${r.readyMs.min}–${r.readyMs.max}) = ${r.readyRatio}×${first}; RSS ${r.rssMiB} MiB`,
        );
      }
    }
    const contenders = (name: string) => builds.map((b) => ({ label: b.label, variant: b.variants[name]! }));
    if (want('overhead')) {
      const o = await taskOverhead(stack, contenders('send-notification'), tasks.splice(0, overheadTasks), N.warmup);
      results.taskOverhead = o;
      lap('overhead');
      for (const r of o)
        add(
          'task target',
          `send-notification [${r.contender}]`,
          `before SendGrid, ${r.requests} tasks`,
          `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (whole request p50 ${r.totalP50Ms} ms)`,
        );
    }
    if (want('webhook')) {
      const w = await webhookLatency(stack, contenders('storefront-webhook'), N.webhook, N.rounds);
      results.webhook = w;
      lap('webhook');
      for (const r of w)
        add(
          'webhook',
          `storefront-webhook [${r.contender}]`,
          `concurrency ${r.concurrency}, ${r.requests} req`,
          `${r.rps} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms${r.cpuMsPerRequest === undefined ? '' : `; CPU per request: function ${r.cpuMsPerRequest} ms, Firestore emulator ${r.firestoreCpuMsPerRequest ?? '?'} ms`}`,
        );
    }
  }
  // The reports bench (bench/reports.ts, from the reports branch): folded into the table once it is there.
  if (want('reports') && existsSync(join(ROOT, 'bench', 'reports.ts'))) {
    const { reportsBench } = (await import(join(ROOT, 'bench', 'reports.ts'))) as {
      reportsBench(sizes?: number[], page?: number, host?: string): Promise<Record<string, unknown>[]>;
    };
    const r = await reportsBench(quick ? [2_000] : [10_000, 100_000], 1000, firestoreHost);
    results.reports = r;
    lap('reports');
    for (const row of r)
      add(
        'reports',
        `aggregation, ${row['shard orders']} orders`,
        'one shard in its own process',
        `${row['orders/s']} orders/s, peak RSS ${row['peak RSS MiB']} MiB`,
      );
  }
  if (want('burst')) {
    const { burstBench } = await import('./burst.ts');
    const b = await burstBench({ orders: burstOrders, rate: burstRate, chaos: args.includes('--chaos') }, (stop) =>
      cleanups.push(stop),
    );
    results.burst = {
      when: new Date().toISOString(),
      machine: results.machine,
      loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(1))),
      ...b.results,
    };
    lap('burst');
    for (const [subject, figure, value] of b.rows) add('burst', subject, figure, value);
  }
  if (want('emulator')) {
    // Ours and, with --firebase, Firebase's, alternately (bench/emulators.ts).
    const e = emulatorSection({ tasks: N.emulatorTasks, rateTasks: N.rateTasks, rounds: N.emulatorRounds }, firebase);
    results.emulator = e.results;
    lap('emulator');
    for (const [subject, figure, value] of e.rows) add('emulator', subject, figure, value);
  }
} finally {
  for (const c of cleanups.reverse()) await c();
  // Written and printed even when a section failed: the sections before it keep their figures.
  results.loadAverageAtEnd = loadavg().map((x) => Number(x.toFixed(1)));
  results.sectionSeconds = laps;
  // Named sections replace only their own entries: the figures of the other sections stay.
  const file = join(ROOT, 'bench', 'results.json');
  const meta = ['when', 'machine', 'quick', 'before', 'loadAverageAtEnd', 'sectionSeconds'];
  const kept =
    sections.length && existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
      : undefined;
  const merged = kept
    ? { ...kept, ...Object.fromEntries(Object.entries(results).filter(([k]) => !meta.includes(k))) }
    : results;
  writeFileSync(file, JSON.stringify(merged, null, 2) + '\n');
  console.log(
    `storefront-jobs benchmarks${quick ? ' (--quick)' : ''}: ${cpus().length} cores, Node ${process.version}, load average ${(results.machine as { loadAverageAtStart: number[] }).loadAverageAtStart[0]} → ${(results.loadAverageAtEnd as number[])[0]}`,
  );
  console.table(rows);
  console.log(
    `Seconds per section: ${Object.entries(laps)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log('Written to bench/results.json; BENCHMARKS.md explains each figure.');
}
