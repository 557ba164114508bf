/** The stack's services as parts: the Firestore emulator (gcloud), the Cloud Tasks emulator and the mail sink. */
import { join } from 'node:path';
import { startFirestore, type FirestoreEmulator } from './firestore.ts';
import { startPart, type Part as Proc } from './procs.ts';
import type { DevContext, StackPart } from './stack-part.ts';

export function firestorePart(ctx: DevContext): StackPart {
  const { host, opts, settings: s } = ctx;
  let fs: FirestoreEmulator | undefined;
  return {
    name: 'firestore',
    async start() {
      const t = Date.now();
      fs = await startFirestore({
        host,
        port: opts.firestorePort,
        project: opts.project,
        dataDir: join(ctx.stateDir, 'firestore'),
        cwd: ctx.root,
        log: ctx.log,
        onUnexpectedExit: ctx.died,
        onStart: ctx.track,
        verbose: opts.logLevel === 'DEBUG',
      });
      ctx.log.info(`Firestore emulator up in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    },
    describe(info) {
      info.firestore = {
        host: s.firestoreHost,
        restUrl: `http://${s.firestoreHost}/v1/projects/${s.project}/databases/(default)/documents`,
        pid: fs!.part.pid,
      };
    },
    stop: async () => fs?.stop(),
  };
}

/**
 * A Node program of this repository that serves HTTP. It is ready once it printed the line that says it listens,
 * which it does after its server is bound: an event, so a loaded machine or a runner busy linking dependencies
 * cannot make it miss a deadline.
 */
function nodeService(
  ctx: DevContext,
  name: string,
  script: string,
  args: () => string[],
  ready: RegExp,
): { proc(): Proc; start(): Promise<void>; stop(): Promise<void> } {
  let proc: Proc | undefined;
  const start = async (): Promise<void> => {
    let listening!: () => void;
    const printed = new Promise<void>((resolve) => (listening = resolve));
    const filter = (line: string): string => (ready.test(line) && listening(), line);
    // Its state is on disk (tasks, outbox): a crashed one is started again on the same port (restarts.ts).
    const crashed = (_p: Proc, how: string): void => ctx.crashed(name, how, () => start().then(() => proc!.pid));
    const p = (proc = ctx.track(
      startPart({
        name,
        command: process.execPath,
        args: [join(ctx.root, script), ...args()],
        cwd: ctx.root,
        env: { ...process.env, NODE_OPTIONS: '' },
        log: ctx.log,
        filter,
        onUnexpectedExit: crashed,
      }),
    ));
    const exited = p.exited.then((how) =>
      Promise.reject(new Error(`${name} exited before it listened (${how}): see its log lines above`)),
    );
    await Promise.race([printed, exited]);
  };
  return { proc: () => proc!, start, stop: async () => proc?.stop(5000) };
}

/** `--allowed-hosts` of the runner, passed on to a service. */
const allowedHostsArgs = (ctx: DevContext): string[] =>
  ctx.opts.allowedHosts.length ? ['--allowed-hosts', ctx.opts.allowedHosts.join(',')] : [];

/** The Cloud Tasks emulator, with dispatching held until the dispatch part releases it (everything a target needs answers). */
export function tasksPart(ctx: DevContext): StackPart {
  const { host, opts, settings: s } = ctx;
  const url = `http://${s.tasksHost}`;
  // Held until the dispatch part releases it; an emulator restarted once the stack is ready dispatches at once.
  const args = (): string[] => [
    '--host',
    host,
    '--port',
    String(opts.tasksPort),
    '--state',
    join(ctx.stateDir, 'tasks'),
    '--queues',
    join(ctx.root, 'queues.json'),
    '--project',
    s.project,
    '--location',
    s.location,
    ...(ctx.ready() ? [] : ['--hold-dispatch']),
    ...allowedHostsArgs(ctx),
  ];
  const svc = nodeService(
    ctx,
    'tasks',
    join('local', 'tasks-emulator', 'main.ts'),
    args,
    /Cloud Tasks emulator listening/,
  );
  return {
    name: 'tasks',
    start: svc.start,
    describe(info) {
      info.tasksEmulator = {
        url,
        host: s.tasksHost,
        issuer: s.issuer,
        jwksUrl: s.jwksUrl,
        queues: Object.fromEntries(
          ctx.queues.map((q) => [
            q.name,
            { path: `projects/${s.project}/locations/${s.location}/queues/${q.name}`, target: q.target ?? null },
          ]),
        ),
        dispatchesUrl: `${url}/_emulator/dispatches`,
        pid: svc.proc().pid,
      };
    },
    stop: svc.stop,
  };
}

export function mailPart(ctx: DevContext): StackPart {
  const { host, opts, settings: s } = ctx;
  const outbox = join(ctx.stateDir, 'outbox');
  const args = (): string[] => [
    '--host',
    host,
    '--port',
    String(opts.mailPort),
    '--outbox',
    outbox,
    '--api-key',
    s.sendgridKey,
    ...allowedHostsArgs(ctx),
  ];
  const svc = nodeService(ctx, 'mail', join('local', 'mail-sink', 'main.ts'), args, /mail sink listening/);
  return {
    name: 'mail',
    start: svc.start,
    describe(info) {
      info.mailSink = {
        url: s.mailUrl,
        outboxUrl: `${s.mailUrl}/outbox`,
        outboxDir: outbox,
        apiKey: s.sendgridKey,
        pid: svc.proc().pid,
      };
    },
    stop: svc.stop,
  };
}
