// `npm run verify` against the real dev stack (the same HTTP checks deploy.sh verify makes): it passes, the signed
// test deliveries change nothing, and it fails naming the function when one is stopped (SIGSTOP) or answers wrongly.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionNames } from '../../esbuild.config.mjs';
import type { StackInfo } from '../../local/stack-file.ts';
import { root, stackPorts, startStack, type RunningStack } from '../dev/support.ts';
import { deploySh, gcloudParses, gcloudStandIn } from '../support/gcloud.ts';

let state: string;
let stack: RunningStack;
let info: StackInfo;
beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'verify-stack-'));
  stack = await startStack(state, await stackPorts(functionNames().length));
  info = stack.info;
}, 240_000);
afterAll(async () => {
  await stack?.stop();
  stack?.kill();
  rmSync(state, { recursive: true, force: true });
});

/** `npm run verify -- args…` (as npm runs it): exit code and output. */
function verify(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['ops/verify/local.ts', ...args],
      { cwd: root, encoding: 'utf8' },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, out: stdout + stderr }),
    );
  });
}
/** A copy of the stack file changed by `change`, for a stack that answers wrongly. */
function changedStack(change: (s: StackInfo) => void): string {
  const s = JSON.parse(readFileSync(join(state, 'stack.json'), 'utf8')) as StackInfo;
  change(s);
  const file = join(state, `changed-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(s));
  return file;
}
const row = (out: string, check: string) =>
  out.split('\n').find((l) => l.includes(`│ ${check} `)) ?? `(no row "${check}")`;

describe('npm run verify against the dev stack', () => {
  it('passes, with every function running and each check in the table, and its test deliveries change nothing', {
    timeout: 120_000,
  }, async () => {
    const r = await verify(['--stack', join(state, 'stack.json')]);
    expect(r.code, r.out).toBe(0);
    for (const name of functionNames()) expect(row(r.out, `${name}: running`)).toMatch(/^✓/);
    expect(row(r.out, 'storefront-webhook: unsigned POST')).toMatch(/^✓ .*│ 401 +│ 401$/);
    expect(row(r.out, 'storefront-webhook: signed test delivery')).toMatch(
      /^✓ .*│ 2xx "ping":true +│ 202 \{.*"ping":true/,
    );
    expect(row(r.out, 'shopify-webhook: signed test delivery')).toMatch(
      /^✓ .*│ 200 \{"ignored":true,"reason":"a test delivery \(X-Shopify-Test: true\)"\}/,
    );
    expect(row(r.out, 'woocommerce-webhook: signed test delivery')).toMatch(/^✓ .*│ 200 \{"ignored":true/);
    for (const name of ['send-notification', 'aggregate-orders', 'schedule-reports']) {
      expect(row(r.out, `${name}: call without a token`)).toMatch(/^✓/);
      expect(row(r.out, `${name}: call with a malformed token`)).toMatch(/^✓/);
    }
    expect(r.out).toContain('all 18 checks match');
    expect(r.out).not.toContain(info.webhook.secret);
    // Nothing stored, enqueued or sent.
    const orders = (await (await fetch(`${info.firestore.restUrl}/orders`)).json()) as { documents?: unknown[] };
    expect(orders.documents ?? []).toEqual([]);
    const tasks = (await (
      await fetch(`${info.tasksEmulator.url}/v2/${info.tasksEmulator.queues.notifications!.path}/tasks`)
    ).json()) as { tasks?: unknown[] };
    expect(tasks.tasks ?? []).toEqual([]);
    const outbox = (await (
      await fetch(info.mailSink.outboxUrl, { headers: { accept: 'application/json' } })
    ).json()) as { messages: unknown[] };
    expect(outbox.messages).toEqual([]);
  });

  it('fails naming the function when it is stopped (SIGSTOP), and passes again once it runs', {
    timeout: 120_000,
  }, async () => {
    const pgid = info.functions['shopify-webhook']!.pid;
    process.kill(-pgid, 'SIGSTOP');
    let r: { code: number; out: string };
    try {
      // The default time limit (10 s): the stopped function never answers, the others answer well within it.
      r = await verify(['--stack', join(state, 'stack.json')]);
    } finally {
      process.kill(-pgid, 'SIGCONT');
    }
    expect(r.code, r.out).toBe(1);
    expect(row(r.out, 'shopify-webhook: unsigned POST')).toMatch(/^✗ .*│ 401 +│ no answer within 10 s$/);
    expect(row(r.out, 'shopify-webhook: signed test delivery')).toMatch(/^✗ .*│ no answer within 10 s$/);
    expect(
      r.out
        .split('\n')
        .filter((l) => l.startsWith('✗'))
        .every((l) => l.includes('shopify-webhook')),
    ).toBe(true);
    expect(r.out).toContain('2 of ');
    const again = await verify(['--stack', join(state, 'stack.json')]);
    expect(again.code, again.out).toBe(0);
  });

  it('fails naming the functions that answer wrongly: a webhook with another secret, a private function open to all', {
    timeout: 120_000,
  }, async () => {
    const open: Server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
    );
    await new Promise<void>((resolve) => open.listen(0, '127.0.0.1', resolve));
    try {
      const file = changedStack((s) => {
        s.webhook.secret = 'another-secret-than-the-functions-0001';
        s.functions['aggregate-orders']!.url = `http://127.0.0.1:${(open.address() as AddressInfo).port}/`;
      });
      const r = await verify(['--stack', file]);
      expect(r.code, r.out).toBe(1);
      for (const w of ['storefront-webhook', 'shopify-webhook', 'woocommerce-webhook']) {
        expect(row(r.out, `${w}: signed test delivery`)).toMatch(/^✗ .*│ 401 \{"error"/);
        expect(row(r.out, `${w}: unsigned POST`)).toMatch(/^✓/);
      }
      expect(row(r.out, 'aggregate-orders: call without a token')).toMatch(/^✗ .*│ 401 +│ 200$/);
      expect(row(r.out, 'send-notification: call without a token')).toMatch(/^✓/);
      expect(r.out).toContain('5 of ');
    } finally {
      await new Promise((resolve) => open.close(resolve));
    }
  });

  it('refuses bad arguments naming the flag, and a missing stack file clearly', async () => {
    expect(await verify(['--timeout-ms', 'soon'])).toMatchObject({
      code: 2,
      out: expect.stringContaining('--timeout-ms: "soon" is not a whole number of milliseconds'),
    });
    expect(await verify(['--stack', join(state, 'none.json')])).toMatchObject({
      code: 1,
      out: expect.stringContaining('No dev stack is running'),
    });
  });
});

describe('deploy.sh verify on the gcloud stand-in, its functions answering from the dev stack', () => {
  const PR = ['--project', 'demo-shop', '--region', 'europe-west1'];

  it('reads with commands gcloud parses, finds what deploy made, and names each mismatch', {
    timeout: 300_000,
  }, async () => {
    const g = gcloudStandIn();
    try {
      const secret = info.webhook.secret;
      const secrets = {
        SENDGRID_API_KEY: 'SG.verify-test-key-0001',
        STOREFRONT_WEBHOOK_SECRETS: secret,
        SHOPIFY_WEBHOOK_SECRETS: secret,
        WOOCOMMERCE_WEBHOOK_SECRETS: secret,
      };
      const deployed = await deploySh([...PR, '--skip-build'], { ...g.env, ...secrets });
      expect(deployed.code, deployed.stderr).toBe(0);
      // The deployed functions answer from the dev stack's processes.
      const w = g.world();
      expect(Object.keys(w.functions).sort(), deployed.stdout + deployed.stderr).toEqual(functionNames());
      for (const [name, f] of Object.entries(info.functions)) w.functions[name]!.url = f.url;
      g.setWorld(w);
      g.clearCalls();

      const r = await deploySh(['verify', ...PR], g.env);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const failed = r.stdout.split('\n').filter((l) => l.startsWith('✗'));
      // Only the URLs differ from a real deployment's: each function row names it, and nothing else fails.
      expect(failed.map((l) => l.split('│')[1]!.trim()).sort()).toEqual(functionNames().map((f) => `function ${f}`));
      expect(row(r.stdout, 'function send-notification')).toContain(
        `│ ACTIVE at ${info.functions['send-notification']!.url}`,
      );
      for (const check of [
        'storefront-webhook: signed test delivery',
        'queue notifications: retries',
        'job nightly-reports: time zone',
        'roles of fn-aggregate-orders',
        'secret shopify-webhook-secrets',
      ]) {
        expect(row(r.stdout, check)).toMatch(/^✓/);
      }
      for (const value of Object.values(secrets)) expect(r.stdout + r.stderr).not.toContain(value);
      const calls = g.calls();
      expect(
        calls.every((c) => !/ (create|delete|add|remove|update|deploy|enable) /.test(` ${c.argv.join(' ')} `)),
        'verify only reads',
      ).toBe(true);
      const parsed = await gcloudParses(calls.map((c) => c.argv));
      expect(parsed.flatMap((p, i) => (p.ok ? [] : [`${calls[i]!.argv.join(' ')}: ${p.error}`]))).toEqual([]);

      // A role too many and one missing, a queue changed by hand, a job in the wrong zone, a secret without a version.
      const drift = g.world();
      drift.projectBindings.push([
        'roles/owner',
        'serviceAccount:fn-storefront-webhook@demo-shop.iam.gserviceaccount.com',
      ]);
      drift.queues.reports!.flags!['max-attempts'] = '3';
      drift.jobs['nightly-reports']!.flags!['time-zone'] = 'America/New_York';
      drift.secrets['sendgrid-api-key']!.versions = [];
      drift.queues.reports!.bindings = drift.queues.reports!.bindings.filter(
        ([, m]) => !m.includes('fn-schedule-reports@'),
      );
      g.setWorld(drift);
      const d = await deploySh(['verify', ...PR], g.env);
      expect(d.code).toBe(1);
      expect(row(d.stdout, 'roles of fn-storefront-webhook')).toMatch(/│ also roles\/owner on project$/);
      expect(row(d.stdout, 'queue reports: retries')).toMatch(/^✗ .*│ 10 attempts.*│ 3 attempts/);
      expect(row(d.stdout, 'job nightly-reports: time zone')).toMatch(/^✗ .*│ Etc\/UTC +│ America\/New_York$/);
      expect(row(d.stdout, 'secret sendgrid-api-key')).toMatch(/^✗ .*│ none$/);
      expect(row(d.stdout, 'roles of fn-schedule-reports')).toMatch(
        /│ lacks roles\/cloudtasks.enqueuer on queue reports$/,
      );
    } finally {
      g.remove();
    }
  });

  it('names a missing flag', async () => {
    const g = gcloudStandIn();
    try {
      expect(await deploySh(['verify', '--project', 'p'], g.env)).toMatchObject({
        code: 2,
        stderr: 'deploy.sh verify: --region is required\n',
      });
      expect((await deploySh(['verify', ...PR, '--timeout-ms', 'x'], g.env)).stderr).toContain(
        '--timeout-ms: "x" is not a whole number',
      );
      expect(g.calls()).toEqual([]);
    } finally {
      g.remove();
    }
  });
});
