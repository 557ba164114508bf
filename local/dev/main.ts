/**
 * `npm run dev`: the whole system on this machine. Builds the bundles that are out of date, installs each
 * dist/<name>/ folder's dependencies, starts the Firestore emulator, the Cloud Tasks emulator (queues.json), the
 * mail sink and every function through functions-framework from its own dist folder, wired only through
 * configuration. Prints one table and writes it as JSON to `<state>/stack.json`. Ctrl-C or SIGTERM stops
 * everything; when one part dies, the rest is stopped too. See README "Local development".
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { functionNames } from '../../esbuild.config.mjs';
import { createBundles } from './bundles.ts';
import { followDispatches } from './dispatch-feed.ts';
import { checkFirestoreToolchain, startFirestore, waitUntilUp, type FirestoreEmulator } from './firestore.ts';
import { acceptedAccounts, functionEnv, functionSpecs, readQueues, type FunctionSpec, type StackSettings } from './functions.ts';
import { createLogStream } from './log.ts';
import { parseOptions, USAGE, type DevOptions } from './options.ts';
import { checkPorts, waitForListen } from './ports.ts';
import { groupAlive, signalGroup, startPart, waitForGroupExit, type Part } from './procs.ts';
import { stackFile, stackTable, writeStack, type StackInfo } from './stack.ts';
import { watchSources } from './watch.ts';

const HOST = '127.0.0.1';
const LOCATION = 'us-central1';
const root = resolve(import.meta.dirname, '..', '..');
process.chdir(root); // esbuild's metafile paths are relative to the working directory

let opts: DevOptions;
try {
  opts = parseOptions(process.argv.slice(2));
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
process.env.STORE_TIME_ZONE = opts.timeZone; // functions.ts hands it (and any REPORTS_* setting) to the functions

const started = Date.now();
const log = createLogStream({ rawJson: opts.rawLogs });
log.reserve(functionNames());
const stateDir = resolve(opts.state ?? join(root, '.local'));
const relState = ((rel) => (rel && !rel.startsWith('..') ? rel : stateDir))(relative(root, stateDir));
const parts = new Set<Part>();
/** Functions being restarted on purpose (their exit is not a failure). */
const restarting = new Set<string>();
const functionParts = new Map<string, Part>();
let firestore: FirestoreEmulator | undefined;
let tasksPart: Part | undefined;
let mailPart: Part | undefined;
let stack: StackInfo | undefined;
let stopping: Promise<never> | undefined;
const cleanups: (() => void)[] = [];

// ---- stopping ------------------------------------------------------------------------------------------------

function stopAll(code: number, reason?: string): Promise<never> {
  stopping ??= (async () => {
    if (reason) (code ? log.error : log.info)(reason);
    for (const c of cleanups) c();
    const fns = [...functionParts.values()];
    await Promise.all(fns.map((p) => p.stop(3000)));
    await Promise.all([firestore?.stop(), tasksPart?.stop(5000), mailPart?.stop(3000)]);
    // Anything still alive (a part started while we were stopping): kill its whole group.
    for (const p of parts) if (groupAlive(p.pid)) await p.stop(1000);
    const left = [...parts].filter((p) => groupAlive(p.pid));
    if (existsSync(stackFile(stateDir))) rmSync(stackFile(stateDir), { force: true });
    if (left.length) log.error(`Could not stop: ${left.map((p) => `${p.name} (process group ${p.pid})`).join(', ')}`);
    else log.info(`Stopped everything. State kept in ${relState}/ (npm run dev -- --clean starts fresh).`);
    process.exit(left.length ? 1 : code);
  })();
  return stopping;
}

let firstSignalAt = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    // A Ctrl-C reaches us twice under `npm run dev` (from the terminal and forwarded by npm): only a second
    // signal a moment later means "now".
    if (firstSignalAt && Date.now() - firstSignalAt < 1000) return;
    if (firstSignalAt) {
      log.warn(`${sig} again: killing everything now`);
      for (const p of parts) signalGroup(p.pid, 'SIGKILL');
      process.exit(130);
    }
    firstSignalAt = Date.now();
    void stopAll(0, `${sig}: stopping everything (again to kill at once)`);
  });
}
// Last resort if the runner itself crashes: no process group outlives it.
process.on('exit', () => {
  for (const p of parts) signalGroup(p.pid, 'SIGKILL');
});
process.on('uncaughtException', (err) => void stopAll(1, `The dev runner failed: ${err.stack ?? err}`));
process.on('unhandledRejection', (err) => void stopAll(1, `The dev runner failed: ${(err as Error)?.stack ?? String(err)}`));

const track = (p: Part): Part => {
  parts.add(p);
  void p.exited.then(() => {
    if (!groupAlive(p.pid)) parts.delete(p);
  });
  return p;
};

const died = (part: Part, how: string): void => {
  if (stopping || restarting.has(part.name)) return;
  void stopAll(1, `${part.name} exited unexpectedly (${how}): stopping the rest. Its last log lines are above.`);
};

// ---- start ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  await refuseSecondRunner();
  if (opts.clean) clean();
  mkdirSync(stateDir, { recursive: true });

  const names = functionNames();
  if (!names.length) throw new Error('No functions found: expected functions/<name>/index.ts');
  const queues = readQueues(root);
  const specs = functionSpecs(names, queues, HOST, opts.functionsPort);
  await checkPorts(HOST, [
    ...specs.map((s) => ({ port: s.port, what: `function ${s.name}`, flag: '--functions-port' })),
    { port: opts.tasksPort, what: 'the Cloud Tasks emulator', flag: '--tasks-port' },
    { port: opts.firestorePort, what: 'the Firestore emulator', flag: '--firestore-port' },
    { port: opts.mailPort, what: 'the mail sink', flag: '--mail-port' },
  ]);
  checkFirestoreToolchain();

  const secrets = loadSecrets();
  const tasksUrl = `http://${HOST}:${opts.tasksPort}`;
  const settings: StackSettings = {
    project: opts.project,
    location: LOCATION,
    firestoreHost: `${HOST}:${opts.firestorePort}`,
    tasksHost: `${HOST}:${opts.tasksPort}`,
    issuer: tasksUrl,
    jwksUrl: `${tasksUrl}/oauth2/v3/certs`,
    mailUrl: `http://${HOST}:${opts.mailPort}`,
    sendgridKey: secrets.sendgridKey,
    webhookSecret: secrets.webhookSecret,
    tasksInvoker: `tasks-invoker@${opts.project}.iam.gserviceaccount.com`,
    schedulerInvoker: `scheduler-invoker@${opts.project}.iam.gserviceaccount.com`,
    logLevel: opts.logLevel,
  };

  // The emulators start while the bundles build and install, and the functions start as soon as their bundles
  // are ready: they connect to Firestore and Cloud Tasks lazily, on their first request.
  const bundles = createBundles(root);
  const functionsUp = (async () => {
    const stale = bundles.stale(names);
    if (stale.length) {
      const t = Date.now();
      await bundles.build(stale);
      log.info(`Built ${stale.join(', ')} in ${Date.now() - t} ms`);
    }
    const t = Date.now();
    const installed = await bundles.installDeps(names, (n) => log.info(`Installing the dependencies of dist/${n} (npm ci --omit=dev, once per lockfile; takes 15-30 s)…`));
    if (installed.length) log.info(`Installed the dependencies of ${installed.join(', ')} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    await Promise.all(specs.map((s) => startFunction(s, specs, settings, bundles.dist(s.name))));
  })();
  const infraUp = Promise.all([startFirestorePart(), startTasks(), startMail(settings)]);
  const [fns, infra] = await Promise.allSettled([functionsUp, infraUp]);
  if (fns.status === 'rejected') throw fns.reason;
  if (infra.status === 'rejected') throw infra.reason;
  cleanups.push(followDispatches(tasksUrl, log).stop);

  const info: StackInfo = {
    version: 1,
    startedAt: new Date(started).toISOString(),
    readyAfterMs: Date.now() - started,
    stateDir,
    project: opts.project,
    timeZone: opts.timeZone,
    location: LOCATION,
    runner: { pid: process.pid },
    functions: Object.fromEntries(
      specs.map((s) => [
        s.name,
        {
          url: s.url,
          port: s.port,
          access: s.access,
          ...(s.access !== 'public' ? { audience: s.url } : {}),
          acceptsServiceAccounts: acceptedAccounts(s, settings),
          queues: s.queues,
          pid: functionParts.get(s.name)!.pid,
        },
      ]),
    ),
    tasksEmulator: {
      url: tasksUrl,
      host: settings.tasksHost,
      issuer: settings.issuer,
      jwksUrl: settings.jwksUrl,
      queues: Object.fromEntries(queues.map((q) => [q.name, { path: `projects/${opts.project}/locations/${LOCATION}/queues/${q.name}`, target: q.target ?? null }])),
      dispatchesUrl: `${tasksUrl}/_emulator/dispatches`,
      pid: tasksPart!.pid,
    },
    firestore: {
      host: settings.firestoreHost,
      restUrl: `http://${settings.firestoreHost}/v1/projects/${opts.project}/databases/(default)/documents`,
      pid: firestore!.part.pid,
    },
    mailSink: { url: settings.mailUrl, outboxUrl: `${settings.mailUrl}/outbox`, outboxDir: join(stateDir, 'outbox'), apiKey: settings.sendgridKey, pid: mailPart!.pid },
    webhook: { url: specs.find((s) => s.name === 'storefront-webhook')?.url ?? '', secret: settings.webhookSecret, header: 'X-Storefront-Signature' },
    serviceAccounts: { tasksInvoker: settings.tasksInvoker, schedulerInvoker: settings.schedulerInvoker },
    processGroups: [...parts].map((p) => p.pid),
  };
  stack = info;
  writeStack(stateDir, info);
  log.raw('\n' + stackTable(info, relState) + '\n');
  log.info(`Ready in ${(info.readyAfterMs / 1000).toFixed(1)} s. Try \`npm run demo\` in another terminal. Ctrl-C stops everything.`);

  if (opts.rebuildOnChange) {
    const watcher = watchSources({
      root,
      dirs: ['functions', 'shared'],
      functions: names,
      bundles,
      log,
      restart: (name) => restartFunction(specs.find((s) => s.name === name)!, specs, settings, bundles),
    });
    cleanups.push(watcher.close);
    log.info('Watching functions/ and shared/: a change rebuilds and restarts only the functions that use the file.');
  }
}

function clean(): void {
  // Only what the runner writes: --state may point anywhere.
  for (const p of ['tasks', 'firestore', 'outbox', 'secrets.json', 'stack.json']) rmSync(join(stateDir, p), { recursive: true, force: true });
  log.info(`--clean: deleted the queued tasks, Firestore data, outbox and secrets in ${relState}/`);
}

async function refuseSecondRunner(): Promise<void> {
  const file = stackFile(stateDir);
  if (!existsSync(file)) return;
  let other: StackInfo | undefined;
  try {
    other = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
  } catch {}
  const pid = other?.runner.pid;
  let alive = false;
  try {
    if (pid) alive = (process.kill(pid, 0), true);
  } catch {}
  if (alive) throw new Error(`A dev stack already runs with the state folder ${relState}/ (runner pid ${pid}). Stop it first, or use another --state folder (and other ports).`);
  // Left by a runner that was killed (SIGKILL): stop the parts it left, if they are still ours.
  const killed: number[] = [];
  for (const pg of other?.processGroups ?? []) {
    if (!groupAlive(pg)) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pg}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {}
    const ours = cmd.includes(root) || (other?.firestore.host !== undefined && cmd.includes(`--host-port=${other.firestore.host}`));
    if (ours) {
      log.warn(`Stopping process group ${pg} left by a dev runner that was killed: ${cmd.slice(0, 100)}…`);
      signalGroup(pg, 'SIGKILL');
      killed.push(pg);
    } else log.warn(`Process group ${pg} of a dev runner that was killed may still be alive; stop it if it holds a port.`);
  }
  await Promise.all(killed.map((pg) => waitForGroupExit(pg, 5000)));
  rmSync(file, { force: true });
}

function loadSecrets(): { webhookSecret: string; sendgridKey: string } {
  const file = join(stateDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { webhookSecret: string; sendgridKey: string };
  const secrets = { webhookSecret: `whsec_local_${randomBytes(16).toString('hex')}`, sendgridKey: `SG.local.${randomBytes(12).toString('hex')}` };
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return secrets;
}

async function startFirestorePart(): Promise<void> {
  const t = Date.now();
  firestore = await startFirestore({
    host: HOST,
    port: opts.firestorePort,
    project: opts.project,
    dataDir: join(stateDir, 'firestore'),
    cwd: root,
    log,
    onUnexpectedExit: died,
    onStart: track,
  });
  log.info(`Firestore emulator up in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

async function startTasks(): Promise<void> {
  tasksPart = track(
    startPart({
      name: 'tasks',
      command: process.execPath,
      args: [join(root, 'local', 'tasks-emulator', 'main.ts'), '--host', HOST, '--port', String(opts.tasksPort), '--state', join(stateDir, 'tasks'), '--queues', join(root, 'queues.json'), '--project', opts.project, '--location', LOCATION],
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
      log,
      onUnexpectedExit: died,
    }),
  );
  await waitUntilUp(`http://${HOST}:${opts.tasksPort}/_emulator/health`, tasksPart, 30_000);
}

async function startMail(s: StackSettings): Promise<void> {
  mailPart = track(
    startPart({
      name: 'mail',
      command: process.execPath,
      args: [join(root, 'local', 'mail-sink', 'main.ts'), '--host', HOST, '--port', String(opts.mailPort), '--outbox', join(stateDir, 'outbox'), '--api-key', s.sendgridKey],
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
      log,
      onUnexpectedExit: died,
    }),
  );
  await waitUntilUp(`${s.mailUrl}/_sink/health`, mailPart, 30_000);
}

async function startFunction(spec: FunctionSpec, all: FunctionSpec[], s: StackSettings, dir: string): Promise<void> {
  const ff = join(dir, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
  const part = track(
    startPart({
      name: spec.name,
      command: process.execPath,
      args: ['--import', join(root, 'local', 'dev', 'bind-localhost.ts'), ff, `--target=${spec.name}`, `--port=${spec.port}`],
      cwd: dir,
      env: functionEnv(spec, all, s),
      log,
      onUnexpectedExit: died,
    }),
  );
  functionParts.set(spec.name, part);
  await waitForListen(HOST, spec.port, 30_000, () => (part.hasExited() ? `${spec.name} exited before it listened on port ${spec.port}: see its log lines above` : undefined));
}

/** Rebuilt by the watcher: stop it, build, reinstall if its lockfile changed, start it on the same port. */
async function restartFunction(spec: FunctionSpec, all: FunctionSpec[], s: StackSettings, bundles: ReturnType<typeof createBundles>): Promise<void> {
  if (stopping) return;
  const t = Date.now();
  restarting.add(spec.name);
  try {
    const old = functionParts.get(spec.name);
    if (old && !old.hasExited()) await old.stop(3000);
    if (old) parts.delete(old);
    await bundles.build([spec.name]);
    await bundles.installDeps([spec.name], (n) => log.info(`The lockfile of dist/${n} changed: npm ci…`));
    if (stopping) return;
    await startFunction(spec, all, s, bundles.dist(spec.name));
  } finally {
    restarting.delete(spec.name);
  }
  log.info(`Restarted ${spec.name} in ${Date.now() - t} ms`);
  if (stack) {
    stack.functions[spec.name]!.pid = functionParts.get(spec.name)!.pid;
    stack.processGroups = [...parts].map((p) => p.pid);
    writeStack(stateDir, stack);
  }
}

main().catch((err: unknown) => void stopAll(1, err instanceof Error ? err.message : String(err)));
