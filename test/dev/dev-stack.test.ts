// The real dev stack end to end: `node local/dev/main.ts` as a child process (Firestore emulator through gcloud,
// the Cloud Tasks emulator, the mail sink, every function from its dist folder through functions-framework), the
// demo against it, a clean stop that leaves no process behind, and state kept across restarts until --clean.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { functionNames } from '../../esbuild.config.mjs';
import { demoEvents } from '../../local/dev/demo-events.ts';
import { signature } from '../../local/dev/demo.ts';
import type { DemoRow } from '../../local/dev/demo-table.ts';
import type { StackInfo } from '../../local/stack-file.ts';
import { startEmulator } from '../../local/tasks-emulator/index.ts';
import { runReport } from '../../ops/report.ts';
import { addDays, dayOf } from '../../shared/store-time.ts';
import { eventually } from '../support/eventually.ts';
import { rawRequest } from '../support/net.ts';
import {
  devArgs,
  gatedGcloud,
  groupAlive,
  portFree,
  root,
  stackPorts,
  startStack,
  type RunningStack,
} from './support.ts';

const run = promisify(execFile);
/** `node local/dev/main.ts <args>` to its end: exit code and output. */
const runDev = (args: string[]): Promise<{ code: number; out: string }> =>
  run(process.execPath, [join(root, 'local', 'dev', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout + err.stderr }),
  );
const temps: string[] = [];
const running: RunningStack[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  for (const s of running) s.kill();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
const tempState = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'dev-stack-'));
  temps.push(d);
  return d;
};
const start = async (...args: Parameters<typeof startStack>): Promise<RunningStack> => {
  const s = await startStack(...args);
  running.push(s);
  return s;
};

interface Message {
  id: string;
  subject?: string;
  request: { custom_args?: Record<string, string> };
}
const outbox = async (s: StackInfo): Promise<Message[]> =>
  (
    (await (await fetch(s.mailSink.outboxUrl, { headers: { accept: 'application/json' } })).json()) as {
      messages: Message[];
    }
  ).messages;

describe('npm run dev', () => {
  it('runs the demo: one email per distinct valid event, the duplicate deduplicated, the invalid one rejected; SIGTERM leaves nothing behind', {
    timeout: 240_000,
  }, async () => {
    const state = tempState();
    const ports = await stackPorts(functionNames().length);
    const stack = await start(state, ports);
    const { info } = stack;

    // The stack file describes what runs, wired only through configuration.
    expect(Object.keys(info.functions).sort()).toEqual(functionNames());
    expect(info.functions['storefront-webhook']).toMatchObject({
      access: 'public',
      url: `http://127.0.0.1:${ports.functions}/`,
    });
    expect(info.functions['send-notification']).toMatchObject({
      access: 'task-target',
      queues: ['notifications'],
      acceptsServiceAccounts: [info.serviceAccounts.tasksInvoker],
    });
    expect(info.functions['send-notification']!.audience).toBe(info.functions['send-notification']!.url);
    expect(info.tasksEmulator.issuer).toBe(`http://127.0.0.1:${ports.tasks}`);
    expect(info.webhook.secret).toMatch(/^whsec_local_[0-9a-f]{32}$/);
    // The runner prints "Ready in" right after writing stack.json; its output reaches us through npm's pipe later.
    await eventually(() => expect(stack.output()).toContain('Ready in'), { timeout: 60_000 });

    const demo = await run(
      process.execPath,
      [join(root, 'local', 'dev', 'demo.ts'), '--stack', join(state, 'stack.json'), '--json', '--timeout', '60'],
      { cwd: root, timeout: 90_000 },
    );
    const rows = (JSON.parse(demo.stdout.slice(demo.stdout.indexOf('{'))) as { rows: DemoRow[] }).rows;
    expect(
      rows.filter((r) => !r.ok),
      JSON.stringify(rows, null, 2),
    ).toEqual([]);
    const valid = rows.filter((r) => r.expect === 'accepted');
    expect(valid.length).toBeGreaterThanOrEqual(6);
    for (const r of valid)
      expect(r).toMatchObject({
        status: 202,
        duplicate: false,
        attempts: 1,
        lastStatus: 204,
        outcome: 'succeeded',
        queued: false,
      });
    expect(new Set(valid.map((r) => r.orderId)).size).toBeGreaterThanOrEqual(4);

    const dup = rows.find((r) => r.expect === 'duplicate')!;
    const first = rows.find((r) => r.eventId === dup.eventId && r.expect === 'accepted')!;
    expect(dup).toMatchObject({ status: 202, duplicate: true, task: first.task });
    const invalid = rows.find((r) => r.expect === 'rejected')!;
    expect(invalid.status).toBe(400);
    expect((invalid.answer as { error: { code: string } }).error.code).toBe('invalid-payload');

    // The outbox holds exactly one email per distinct valid event, and nothing else.
    const messages = await outbox(info);
    expect(messages.map((m) => m.request.custom_args?.eventId).sort()).toEqual(valid.map((r) => r.eventId).sort());
    expect(messages.map((m) => m.subject)).toContain(valid.find((r) => r.label.includes('JPY'))!.subject);
    // The duplicate's task ran once: the second delivery enqueued nothing.
    const attempts = (await (
      await fetch(`${info.tasksEmulator.dispatchesUrl}?task=${encodeURIComponent(dup.task!)}`)
    ).json()) as { dispatches: unknown[] };
    expect(attempts.dispatches).toHaveLength(1);

    // The console (a part of the stack, in the runner's process) shows the same queues and emails.
    expect(info.console?.url).toBe(`http://127.0.0.1:${ports.console}/`);
    expect(stack.output()).toContain(info.console!.url);
    const consoleQueues = (await (await fetch(`${info.console!.url}api/queues`)).json()) as {
      queues: { id: string; state: string }[];
    };
    expect(consoleQueues.queues.map((q) => q.id).sort()).toEqual(Object.keys(info.tasksEmulator.queues).sort());
    const consoleOutbox = (await (await fetch(`${info.console!.url}api/outbox`)).json()) as {
      messages: { id: string }[];
    };
    expect(consoleOutbox.messages.map((m) => m.id).sort()).toEqual(messages.map((m) => m.id).sort());

    // `npm run report -- --wait` returns once the run is combined and every task of it has left the queue: the
    // reports queue is empty then (no shard task waits for the combine). A --day the function refuses is named as
    // the flag, not as the request's field.
    const report = async (args: string[]): Promise<{ code: number; out: string }> => {
      const lines: string[] = [];
      const code = await runReport([...args, '--state', state], {}, (l) => lines.push(l));
      return { code, out: lines.join('\n') };
    };
    const today = dayOf(Date.now(), info.timeZone ?? 'UTC');
    const done = await report(['--day', addDays(today, -1), '--wait', '--json', '--timeout', '120']);
    expect(done.code, done.out).toBe(0);
    expect(JSON.parse(done.out.split('\n').at(-1)!)).toMatchObject({ day: addDays(today, -1), hours: 24 });
    const reportsQueue = (await (
      await fetch(`${info.tasksEmulator.url}/v2/${info.tasksEmulator.queues.reports!.path}/tasks`)
    ).json()) as { tasks?: { name: string }[] };
    expect(reportsQueue.tasks ?? [], 'the reports queue after npm run report -- --wait').toEqual([]);
    const notEnded = await report(['--day', today]);
    expect(notEnded.code).toBe(2);
    expect(notEnded.out).toContain(`--day ${today}: ${today} has not ended yet`);
    const notADay = await report(['--day', '2026-02-30']);
    expect(notADay.out).toMatch(/--day 2026-02-30: /);
    expect(notADay.out).not.toContain('days.0');

    // Each platform's documented sample deliveries: one email per distinct valid event, the redelivery and the
    // unmappable order none, WooCommerce's ping answered.
    for (const platform of ['shopify', 'woocommerce']) {
      const out = await run(
        process.execPath,
        [
          join(root, 'local', 'dev', 'demo.ts'),
          '--stack',
          join(state, 'stack.json'),
          '--platform',
          platform,
          '--json',
          '--timeout',
          '60',
        ],
        { cwd: root, timeout: 90_000 },
      );
      const platformRows = (JSON.parse(out.stdout.slice(out.stdout.indexOf('{'))) as { rows: DemoRow[] }).rows;
      expect(
        platformRows.filter((r) => !r.ok),
        JSON.stringify(platformRows, null, 2),
      ).toEqual([]);
      const accepted = platformRows.filter((r) => r.expect === 'accepted');
      expect(accepted.length).toBe(2);
      const mails = (await outbox(info)).filter((m) =>
        accepted.some((r) => r.eventId === m.request.custom_args?.eventId),
      );
      expect(mails.map((m) => m.request.custom_args?.eventId).sort()).toEqual(accepted.map((r) => r.eventId).sort());
    }

    // SIGTERM to npm's pid (as a supervisor sends it) stops everything: every process group the runner started is
    // gone, so is npm's own (npm, its shell, the runner), and so are the ports.
    const groups = info.processGroups;
    expect(groups.length).toBe(functionNames().length + 3);
    for (const g of groups) expect(groupAlive(g), `process group ${g} before stop`).toBe(true);
    expect(await stack.stop(), stack.output()).toBe(0);
    await eventually(
      () => expect(groupAlive(stack.child.pid!), 'npm, its shell and the runner after stop').toBe(false),
      { timeout: 30_000 },
    );
    for (const g of groups) expect(groupAlive(g), `process group ${g} after stop`).toBe(false);
    expect(existsSync(join(state, 'stack.json'))).toBe(false);
    for (const p of [ports.functions, ports.tasks, ports.firestore, ports.mail, ports.console])
      expect(await portFree(p), `port ${p}`).toBe(true);
    // 'exit' can come before the last output is read from the pipe: wait for the line.
    await eventually(() => expect(stack.output()).toContain('Stopped everything'), { timeout: 30_000 });
  });

  it('keeps queued tasks and stored orders across a restart; --clean removes them', { timeout: 240_000 }, async () => {
    const state = tempState();
    const ports = await stackPorts(functionNames().length);
    let stack = await start(state, ports);
    const info = stack.info;

    // A stored order, through a signed webhook.
    const first = demoEvents(`restart${Date.now().toString(36)}`)[0]!;
    const orderId = first.orderId;
    const body = JSON.stringify(first.event);
    const res = await fetch(info.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-storefront-signature': signature(info.webhook.secret, body) },
      body,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const orderUrl = `${info.firestore.restUrl}/orders/${orderId}`;
    expect((await fetch(orderUrl)).status).toBe(200);

    // A second runner on the same state folder is refused, and leaves the running stack's stack.json alone.
    const stackJson = readFileSync(join(state, 'stack.json'), 'utf8');
    const second = await runDev([...devArgs(state, ports)]);
    expect(second.code, second.out).toBe(1);
    expect(second.out).toContain('A dev stack already runs with the state folder');
    expect(second.out).toContain('it keeps running, and this command started nothing');
    expect(second.out, 'a refused runner stopped nothing').not.toContain('Stopped everything');
    expect(readFileSync(join(state, 'stack.json'), 'utf8'), 'stack.json after a refused second runner').toBe(stackJson);

    // A task due in an hour, created through the Cloud Tasks REST API.
    const queue = info.tasksEmulator.queues.notifications!.path;
    const created = await fetch(`${info.tasksEmulator.url}/v2/${queue}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        task: {
          scheduleTime: new Date(Date.now() + 3_600_000).toISOString(),
          httpRequest: {
            url: info.functions['send-notification']!.url,
            httpMethod: 'POST',
            body: Buffer.from('{}').toString('base64'),
            oidcToken: { serviceAccountEmail: info.serviceAccounts.tasksInvoker },
          },
        },
      }),
    });
    expect(created.status, await created.clone().text()).toBe(200);
    const task = ((await created.json()) as { name: string }).name;

    expect(await stack.stop(), stack.output()).toBe(0);

    // While the stack is down, a task falls due for send-notification: an order confirmation, whose delivery claim
    // needs Firestore and whose email needs the mail sink (written with dispatch held, as nothing listens).
    const confirmation = demoEvents(`overdue${Date.now().toString(36)}`)[0]!.event as {
      id: string;
      data: { order: unknown };
    };
    const payload = {
      kind: 'order-confirmation',
      idempotencyKey: `order-confirmation/${confirmation.id}`,
      eventId: confirmation.id,
      order: confirmation.data.order,
    };
    const offline = await startEmulator({
      port: 0,
      stateDir: join(state, 'tasks'),
      project: info.project,
      location: info.location,
      holdDispatch: true,
    });
    const overdue = await fetch(`${offline.url}/v2/${queue}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        task: {
          httpRequest: {
            url: info.functions['send-notification']!.url,
            httpMethod: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: Buffer.from(JSON.stringify(payload)).toString('base64'),
            oidcToken: { serviceAccountEmail: info.serviceAccounts.tasksInvoker },
          },
        },
      }),
    });
    expect(overdue.status, await overdue.clone().text()).toBe(200);
    const overdueTask = ((await overdue.json()) as { name: string }).name;
    await offline.close();

    // The warm restart, with the Firestore emulator held back until every function and the mail sink answer: the
    // emulator must still hold its dispatching then, and send the overdue task only once Firestore answers too, so
    // its first attempt succeeds (a runner that released dispatching once the functions listened sent it into a
    // Firestore that refused connections: a 503, and the next attempt minutes later).
    const gate = gatedGcloud();
    temps.push(gate.dir);
    const restarting = start(state, ports, [], undefined, undefined, {
      PATH: `${gate.dir}${delimiter}${process.env.PATH}`,
    });
    const answers = async (url: string): Promise<boolean> =>
      fetch(url).then(
        () => true,
        () => false,
      );
    const functionUrls = Object.values(info.functions).map((f) => f.url);
    try {
      await eventually(
        async () => expect(await Promise.all([...functionUrls, info.mailSink.url].map(answers))).not.toContain(false),
        { timeout: 120_000, interval: 200 },
      );
      expect(await answers(`http://${info.firestore.host}/`), 'Firestore while held back').toBe(false);
      expect(
        await (await fetch(`${info.tasksEmulator.url}/_emulator/dispatch`)).json(),
        'dispatching before Firestore answers',
      ).toEqual({ held: true });
    } finally {
      // Also after a failed check: the stack then comes up and is stopped with the others.
      await gate.open();
      stack = await restarting;
    }
    expect(stack.info.webhook.secret).toBe(info.webhook.secret);
    const attempts = await eventually(
      async () => {
        const d = (
          (await (
            await fetch(`${info.tasksEmulator.dispatchesUrl}?task=${encodeURIComponent(overdueTask)}`)
          ).json()) as { dispatches: { attempt: number; status?: number; error?: string }[] }
        ).dispatches;
        expect(d.length).toBeGreaterThan(0);
        return d;
      },
      { timeout: 30_000 },
    );
    expect(attempts, 'the attempts of the overdue task after a warm restart').toMatchObject([
      { attempt: 1, status: 204 },
    ]);
    await eventually(
      async () =>
        expect((await outbox(stack.info)).map((m) => m.request.custom_args?.eventId)).toContain(confirmation.id),
      { timeout: 30_000 },
    );
    expect((await fetch(`${info.tasksEmulator.url}/v2/${task}`)).status, 'the queued task after a restart').toBe(200);
    expect((await fetch(orderUrl)).status, 'the stored order after a restart').toBe(200);
    expect(await stack.stop(), stack.output()).toBe(0);

    stack = await start(state, ports, ['--clean']);
    expect((await fetch(`${info.tasksEmulator.url}/v2/${task}`)).status, 'the queued task after --clean').toBe(404);
    expect((await fetch(orderUrl)).status, 'the stored order after --clean').toBe(404);
    expect(stack.info.webhook.secret).not.toBe(info.webhook.secret);
    expect(await stack.stop(), stack.output()).toBe(0);
    for (const g of stack.info.processGroups) expect(groupAlive(g)).toBe(false);
  });

  it('starts a crashed part again, and stops the rest with its last log lines when it keeps crashing', {
    timeout: 180_000,
  }, async () => {
    const state = tempState();
    const stack = await start(state, await stackPorts(functionNames().length), ['--allowed-hosts', 'shop.test']);
    // --allowed-hosts reaches the console, the Cloud Tasks emulator and the mail sink; other hosts stay refused.
    const { info } = stack;
    for (const url of [
      `${info.console!.url}api/outbox`,
      `${info.tasksEmulator.url}/v2/${info.tasksEmulator.queues.notifications!.path}`,
      info.mailSink.outboxUrl,
    ]) {
      const port = new URL(url).port;
      expect(
        (await rawRequest(url, { headers: { host: `shop.test:${port}`, accept: 'application/json' } })).status,
        url,
      ).toBe(200);
      expect(
        (await rawRequest(url, { headers: { host: `evil.example:${port}`, accept: 'application/json' } })).status,
        url,
      ).toBe(403);
    }
    const exited = new Promise<number | null>((r) => stack.child.once('exit', (code) => r(code)));
    const mailPid = (): number =>
      (JSON.parse(readFileSync(join(state, 'stack.json'), 'utf8')) as StackInfo).mailSink.pid;
    // Four crashes: each time the runner starts it again (a new pid in stack.json, answering on the same port, with
    // the flags it had).
    let pid = info.mailSink.pid;
    for (let crash = 1; crash <= 4; crash++) {
      process.kill(-pid, 'SIGKILL');
      const old = pid;
      pid = await eventually(() => mailPid() !== old && mailPid(), { timeout: 60_000, interval: 50 });
      expect(stack.output()).toMatch(
        new RegExp(
          `mail exited unexpectedly \\(signal SIGKILL\\): starting it again in \\d+ ms \\(crash ${crash} within 60 s`,
        ),
      );
      expect(
        (
          await rawRequest(info.mailSink.outboxUrl, {
            headers: { host: `shop.test:${new URL(info.mailSink.url).port}`, accept: 'application/json' },
          })
        ).status,
      ).toBe(200);
    }
    expect(stack.child.exitCode).toBe(null);
    // The fifth within a minute stops the stack, showing the sink's last lines.
    const groups = (JSON.parse(readFileSync(join(state, 'stack.json'), 'utf8')) as StackInfo).processGroups;
    process.kill(-pid, 'SIGKILL');
    expect(await exited).toBe(1);
    await eventually(
      () =>
        expect(stack.output()).toMatch(
          /mail exited unexpectedly \(signal SIGKILL\), its 5th crash within 60 s: stopping the rest\. Its last log lines:\n.*mail sink listening/,
        ),
      { timeout: 30_000 },
    );
    for (const g of [...stack.info.processGroups, ...groups]) expect(groupAlive(g), `process group ${g}`).toBe(false);
  });

  it('says which port is taken and how to choose another', { timeout: 60_000 }, async () => {
    const { createServer } = await import('node:net');
    const ports = await stackPorts(functionNames().length);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(ports.firestore, '127.0.0.1', r));
    try {
      const state = tempState();
      const res = await runDev(devArgs(state, ports));
      expect(res.code).toBe(1);
      expect(res.out).toContain(`port ${ports.firestore} on 127.0.0.1 (for the Firestore emulator) is already in use`);
      expect(res.out).toContain('--firestore-port <port>');
      expect(res.out, 'a refused runner stopped nothing').not.toContain('Stopped everything');
    } finally {
      blocker.close();
    }
  });
});
