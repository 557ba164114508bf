/**
 * The dev runner: options → parts → start in order → describe → stop in reverse. It checks the state folder and
 * the ports first, starts each part once the parts it waits for are ready, writes what runs to `<state>/stack.json`
 * and prints it as a table. A function, the Cloud Tasks emulator or the mail sink that dies is started again
 * (restarts.ts); when one keeps crashing, or the Firestore emulator dies, or on SIGINT/SIGTERM/SIGHUP, or when its
 * parent (npm, a supervisor) goes away, it stops every part in reverse order. Only the runner that wrote stack.json
 * removes it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { functionNames } from '../../esbuild.config.mjs';
import { checkFirestoreToolchain } from './firestore.ts';
import { LOCAL_FIRESTORE_TIMEOUT_MS, LOCAL_MAIL, LOCAL_REPORTS_EMAIL_TO } from '../stack-file.ts';
import { functionSpecs, readQueues, type StackSettings } from './functions.ts';
import { createLogStream } from './log.ts';
import type { DevOptions } from './options.ts';
import { stackParts } from './parts.ts';
import { checkPorts } from './ports.ts';
import { groupAlive, signalGroup, type Part as Proc } from './procs.ts';
import { stackFile, writeStack, type StackInfo } from '../stack-file.ts';
import { createRestarts } from './restarts.ts';
import { stackTable } from './stack-table.ts';
import type { DevContext, StackPart } from './stack-part.ts';
import { cleanState, loadSecrets, refuseSecondRunner } from './state-folder.ts';

const HOST = '127.0.0.1';
const LOCATION = 'us-central1';

export interface DevRunner {
  /** Starts the stack; resolves once every part is ready and stack.json is written. */
  start(): Promise<void>;
  /** Stops every part in reverse order, then exits the process with `code` (1 if a part could not be stopped). */
  stop(code: number, reason?: string): Promise<never>;
  /** Stops on SIGINT/SIGTERM/SIGHUP, when the parent goes away, and on a crash of the runner itself. */
  handleSignals(): void;
}

export function createDevRunner(opts: DevOptions, root: string): DevRunner {
  const startedAt = Date.now();
  const log = createLogStream({ rawJson: opts.rawLogs });
  const stateDir = resolve(opts.state ?? join(root, '.local'));
  const relState = ((rel) => (rel && !rel.startsWith('..') ? rel : stateDir))(relative(root, stateDir));
  const procs = new Set<Proc>();
  const started: StackPart[] = [];
  let parts: StackPart[] = [];
  let info: StackInfo | undefined;
  let stopping: Promise<never> | undefined;

  const track = (p: Proc): Proc => {
    procs.add(p);
    void p.exited.then(() => void (groupAlive(p.pid) || procs.delete(p)));
    return p;
  };
  const describe = (base: StackInfo): StackInfo => {
    for (const p of parts) p.describe?.(base);
    base.processGroups = [...procs].map((p) => p.pid);
    return base;
  };

  async function start(): Promise<void> {
    await refuseSecondRunner({ stateDir, relState, root, log });
    if (opts.clean) cleanState(stateDir, relState, log);
    mkdirSync(stateDir, { recursive: true });
    const names = functionNames();
    if (!names.length) throw new Error('No functions found: expected functions/<name>/index.ts');
    log.reserve(names);
    const queues = readQueues(root);
    const specs = functionSpecs(names, queues, HOST, opts.functionsPort);
    await checkPorts(HOST, [
      ...specs.map((s) => ({ port: s.port, what: `function ${s.name}`, flag: '--functions-port' })),
      { port: opts.tasksPort, what: 'the Cloud Tasks emulator', flag: '--tasks-port' },
      { port: opts.firestorePort, what: 'the Firestore emulator', flag: '--firestore-port' },
      { port: opts.mailPort, what: 'the mail sink', flag: '--mail-port' },
      { port: opts.consolePort, what: 'the console', flag: '--console-port' },
    ]);
    checkFirestoreToolchain();

    const restarts = createRestarts({
      log,
      stopping: () => !!stopping,
      stop: (code, reason) => void stop(code, reason),
      redescribe,
    });
    const ctx: DevContext = {
      root,
      host: HOST,
      opts,
      stateDir,
      relState,
      log,
      settings: stackSettings(opts, loadSecrets(stateDir)),
      queues,
      specs,
      track,
      died,
      crashed: (name, how, restart) =>
        info ? restarts.crashed(name, how, restart) : died({ name }, how, ' while the stack started'),
      ready: () => !!info,
      stopping: () => !!stopping,
      redescribe,
    };
    parts = stackParts(ctx);
    const ready = new Map<string, Promise<void>>();
    for (const part of parts) {
      const deps = (part.after ?? []).map(
        (n) => ready.get(n) ?? Promise.reject(new Error(`part ${part.name} waits for ${n}, which is not before it`)),
      );
      ready.set(
        part.name,
        Promise.all(deps).then(async () => {
          if (stopping) return;
          started.push(part);
          await part.start().catch((err: unknown) => {
            // Name the part and the cause: a bare "fetch failed" says neither.
            const cause = (err as { cause?: { code?: string; message?: string } }).cause;
            throw new Error(
              `${part.name} did not start: ${err instanceof Error ? err.message : String(err)}${cause ? ` (${cause.code ?? cause.message})` : ''}`,
              { cause: err },
            );
          });
        }),
      );
    }
    // Every part settles before the first failure is reported, so that stop() sees all that started.
    const results = await Promise.allSettled(ready.values());
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (stopping) return;

    const s = ctx.settings;
    info = describe({
      version: 1,
      startedAt: new Date(startedAt).toISOString(),
      readyAfterMs: Date.now() - startedAt,
      stateDir,
      project: s.project,
      location: s.location,
      runner: { pid: process.pid },
      timeZone: s.timeZone,
      functions: {},
      serviceAccounts: { tasksInvoker: s.tasksInvoker, schedulerInvoker: s.schedulerInvoker },
    } as unknown as StackInfo);
    writeStack(stateDir, info);
    log.raw('\n' + stackTable(info, relState) + '\n');
    log.info(
      `Ready in ${(info.readyAfterMs / 1000).toFixed(1)} s. Try \`npm run demo\` in another terminal. Ctrl-C stops everything.`,
    );
  }

  function redescribe(): void {
    if (info && !stopping) writeStack(stateDir, (info = describe(info)));
  }

  /** A part died for good: stop everything, with its last log lines and, for Firestore, what was lost. */
  function died(p: Pick<Proc, 'name'>, how: string, when = ''): void {
    if (stopping) return;
    const last = log
      .recent(p.name)
      .map((l) => `    ${l}`)
      .join('\n');
    const lost =
      p.name === 'firestore'
        ? ` ${firestoreLoss(info ? new Date(info.startedAt) : new Date(startedAt), relState)}`
        : '';
    void stop(
      1,
      `${p.name} exited unexpectedly (${how})${when}: stopping the rest.${lost}${last ? ` Its last log lines:\n${last}` : ''}`,
    );
  }

  function stop(code: number, reason?: string): Promise<never> {
    stopping ??= (async () => {
      if (reason) (code ? log.error : log.info)(reason);
      const startedAny = started.length > 0 || procs.size > 0;
      for (const part of started.reverse()) {
        await part
          .stop()
          .catch((err: unknown) => log.warn(`${part.name} did not stop cleanly: ${(err as Error).message}`));
      }
      // Anything still alive (a process started while we were stopping): kill its whole group.
      for (const p of procs) if (groupAlive(p.pid)) await p.stop(1000);
      const left = [...procs].filter((p) => groupAlive(p.pid));
      if (info) rmSync(stackFile(stateDir), { force: true }); // ours: a refused runner never wrote one
      if (left.length) log.error(`Could not stop: ${left.map((p) => `${p.name} (process group ${p.pid})`).join(', ')}`);
      // A runner refused before it started anything (a stack already runs, a port is taken) has nothing to report.
      else if (startedAny)
        log.info(`Stopped everything. State kept in ${relState}/ (npm run dev -- --clean starts fresh).`);
      process.exit(left.length ? 1 : code);
    })();
    return stopping;
  }

  function handleSignals(): void {
    let firstSignalAt = 0;
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(sig, () => {
        // A Ctrl-C reaches us twice under `npm run dev` (from the terminal and forwarded by npm): only a second
        // signal a moment later means "now".
        if (firstSignalAt && Date.now() - firstSignalAt < 1000) return;
        if (firstSignalAt) {
          log.warn(`${sig} again: killing everything now`);
          for (const p of procs) signalGroup(p.pid, 'SIGKILL');
          process.exit(130);
        }
        firstSignalAt = Date.now();
        void stop(0, `${sig}: stopping everything (again to kill at once)`);
      });
    }
    // A supervisor that kills npm with SIGKILL forwards nothing: a runner whose parent is gone stops by itself.
    const parent = process.ppid;
    setInterval(
      () =>
        void (
          process.ppid !== parent && stop(0, 'The parent process (npm or a supervisor) is gone: stopping everything')
        ),
      1000,
    ).unref();
    // Last resort if the runner itself crashes: no process group outlives it.
    process.on('exit', () => {
      for (const p of procs) signalGroup(p.pid, 'SIGKILL');
    });
    process.on('uncaughtException', (err) => void stop(1, `The dev runner failed: ${err.stack ?? err}`));
    process.on(
      'unhandledRejection',
      (err) => void stop(1, `The dev runner failed: ${(err as Error)?.stack ?? String(err)}`),
    );
  }

  return { start, stop, handleSignals };
}

/**
 * What a dead Firestore emulator took with it. It holds its data in memory and writes it to the state folder only
 * when the runner stops it, so a restart would start from the last run's data and forget what this run wrote:
 * delivery records among it, so queued tasks could send their emails again. The runner stops instead.
 */
function firestoreLoss(since: Date, relState: string): string {
  return (
    'The Firestore emulator keeps its data in memory and saves it only when the stack stops: everything written ' +
    `since this stack started (${since.toISOString().slice(11, 19)}Z) is lost (orders, delivery records, dead letters). ` +
    'The next `npm run dev` starts from the data saved when the last stack stopped ' +
    `(${relState}/firestore/current/); ` +
    `tasks still queued in the Cloud Tasks emulator are kept, so emails whose delivery record was lost can be sent again.`
  );
}

function stackSettings(opts: DevOptions, secrets: { webhookSecret: string; sendgridKey: string }): StackSettings {
  const tasksUrl = `http://${HOST}:${opts.tasksPort}`;
  return {
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
    ...LOCAL_MAIL,
    firestoreTimeoutMs: LOCAL_FIRESTORE_TIMEOUT_MS,
    timeZone: opts.timeZone,
    reportsEmailTo: LOCAL_REPORTS_EMAIL_TO,
    reports: opts.reports,
  };
}
