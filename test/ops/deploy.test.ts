// deploy.sh: the commands it would run (--dry-run), and its queue step for real, through the real gcloud CLI,
// against our Cloud Tasks emulator: the queues end up exactly as queues.json says, and a second run updates them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../local/tasks-emulator/index.ts';
import { queueConfig } from '../../shared/queues.ts';

const root = join(import.meta.dirname, '..', '..');
let gcloudConfig: string;
beforeAll(() => {
  gcloudConfig = mkdtempSync(join(tmpdir(), 'deploy-gcloud-'));
});
afterAll(() => rmSync(gcloudConfig, { recursive: true, force: true }));

// Asynchronous: the emulator answering gcloud runs in this very process.
async function deploy(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', ['deploy.sh', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      CLOUDSDK_CONFIG: gcloudConfig,
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      MAIL_FROM: 'orders@shop.example',
      ...env,
    },
  });
  return stdout;
}

describe('deploy.sh --dry-run', () => {
  it('deploys each function from its own dist folder with nodejs22 and the right access', {
    timeout: 120_000,
  }, async () => {
    const out = await deploy([
      '--project',
      'demo-shop',
      '--region',
      'europe-west1',
      '--dry-run',
      '--skip-build',
      '--only',
      'functions',
    ]);
    const line = (name: string) => out.split('\n').find((l) => l.includes(`functions deploy ${name} `)) ?? '';
    expect(line('send-notification')).toMatch(
      /--gen2 --runtime=nodejs22 --region=europe-west1 --source=dist\/send-notification --entry-point=send-notification --trigger-http/,
    );
    expect(line('send-notification')).toContain('--no-allow-unauthenticated');
    expect(line('send-notification')).toContain(
      'OIDC_AUDIENCE=https://europe-west1-demo-shop.cloudfunctions.net/send-notification',
    );
    expect(line('send-notification')).toMatch(/--set-secrets=SENDGRID_API_KEY=sendgrid-api-key:/);
    expect(line('storefront-webhook')).toContain('--allow-unauthenticated');
    expect(line('storefront-webhook')).toContain(
      'SEND_NOTIFICATION_URL=https://europe-west1-demo-shop.cloudfunctions.net/send-notification',
    );
    expect(out).toContain(
      'functions add-invoker-policy-binding send-notification --region=europe-west1 --member=serviceAccount:tasks-invoker@demo-shop.iam.gserviceaccount.com',
    );
  });

  it('deploys the platform webhooks public, each with its own service account and secret', {
    timeout: 120_000,
  }, async () => {
    const out = await deploy([
      '--project',
      'demo-shop',
      '--region',
      'europe-west1',
      '--dry-run',
      '--skip-build',
      '--only',
      'functions',
    ]);
    for (const [name, secret] of [
      ['shopify-webhook', 'SHOPIFY_WEBHOOK_SECRETS=shopify-webhook-secrets:'],
      ['woocommerce-webhook', 'WOOCOMMERCE_WEBHOOK_SECRETS=woocommerce-webhook-secrets:'],
    ] as const) {
      const line = out.split('\n').find((l) => l.includes(`functions deploy ${name} `)) ?? '';
      expect(line).toContain(`--source=dist/${name} --entry-point=${name}`);
      expect(line).toContain('--allow-unauthenticated');
      expect(line).toContain(`--service-account=fn-${name}@demo-shop.iam.gserviceaccount.com`);
      expect(line).toContain(`--set-secrets=${secret}`);
      expect(line).toContain(
        'SEND_NOTIFICATION_URL=https://europe-west1-demo-shop.cloudfunctions.net/send-notification',
      );
    }
  });

  it('deploys the report functions with least privilege and a scheduler job calling schedule-reports with OIDC', {
    timeout: 120_000,
  }, async () => {
    const out = await deploy(
      [
        '--project',
        'demo-shop',
        '--region',
        'europe-west1',
        '--dry-run',
        '--skip-build',
        '--only',
        'queues,functions,scheduler',
      ],
      { STORE_TIME_ZONE: 'Europe/Berlin', REPORTS_EMAIL_TO: 'a@shop.example,b@shop.example' },
    );
    const lines = out.split('\n');
    const line = (name: string) => lines.find((l) => l.includes(`functions deploy ${name} `)) ?? '';
    const url = (f: string) => `https://europe-west1-demo-shop.cloudfunctions.net/${f}`;
    const sa = (f: string) => `fn-${f}@demo-shop.iam.gserviceaccount.com`;
    expect(line('aggregate-orders')).toContain('--no-allow-unauthenticated');
    expect(line('aggregate-orders')).toContain(`OIDC_ALLOWED_EMAILS=tasks-invoker@demo-shop.iam.gserviceaccount.com`);
    expect(line('aggregate-orders')).toContain('REPORTS_EMAIL_TO=a@shop.example\\;b@shop.example');
    expect(line('aggregate-orders')).toContain('--timeout=600s');
    expect(line('schedule-reports')).toContain(
      'OIDC_ALLOWED_EMAILS=scheduler-invoker@demo-shop.iam.gserviceaccount.com',
    );
    expect(line('schedule-reports')).toContain('STORE_TIME_ZONE=Europe/Berlin');
    expect(line('schedule-reports')).toContain(`AGGREGATE_ORDERS_URL=${url('aggregate-orders')}`);
    // Each may enqueue only where it must: schedule-reports on reports; aggregate-orders on reports and notifications.
    const enqueuers = lines.filter((l) => l.includes('roles/cloudtasks.enqueuer'));
    expect(enqueuers.filter((l) => l.includes(sa('schedule-reports'))).map((l) => l.split(' ')[7])).toEqual([
      'reports',
    ]);
    expect(
      enqueuers
        .filter((l) => l.includes(sa('aggregate-orders')))
        .map((l) => l.split(' ')[7])
        .sort(),
    ).toEqual(['notifications', 'reports']);
    expect(out).toContain(
      `functions add-invoker-policy-binding aggregate-orders --region=europe-west1 --member=serviceAccount:tasks-invoker@demo-shop.iam.gserviceaccount.com`,
    );
    const job = lines.find((l) => l.includes('scheduler jobs create http nightly-reports')) ?? '';
    expect(job).toContain(`--uri=${url('schedule-reports')}`);
    expect(job).toContain('--oidc-service-account-email=scheduler-invoker@demo-shop.iam.gserviceaccount.com');
    expect(job).toContain(`--oidc-token-audience=${url('schedule-reports')}`);
    expect(job).toContain('--time-zone=Europe/Berlin');
    expect(out).toContain(
      'functions add-invoker-policy-binding schedule-reports --region=europe-west1 --member=serviceAccount:scheduler-invoker@demo-shop.iam.gserviceaccount.com',
    );
  });

  it("checks every function's settings before it changes anything", { timeout: 120_000 }, async () => {
    const failed = await deploy(['--project', 'demo-shop', '--region', 'europe-west1', '--dry-run', '--skip-build'], {
      MAIL_FROM: '',
      STORE_TIME_ZONE: 'Mars/Base',
    }).then(
      () => undefined,
      (err: { stdout: string; stderr: string }) => err,
    );
    expect(failed?.stderr).toContain(
      "deploy.sh: send-notification: MAIL_FROM: required, not set (set it in deploy.sh's environment)",
    );
    expect(failed?.stderr).toContain('deploy.sh: schedule-reports: STORE_TIME_ZONE: must be an IANA time zone');
    expect(failed?.stdout).not.toContain('+ gcloud');
  });

  it('refuses to run without a project or region', async () => {
    await expect(deploy(['--region', 'europe-west1'])).rejects.toThrow(/--project is required/);
  });
});

describe('deploy.sh queues against the emulator (real gcloud)', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, project: 'deploy-test', location: 'europe-west1' });
  });
  afterAll(() => emulator?.close());

  it('creates every queue of queues.json with its limits, then updates them on a second run', {
    timeout: 180_000,
  }, async () => {
    const env = {
      CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDTASKS: `${emulator.url}/`,
      CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'true',
    };
    const first = await deploy(['--project', 'deploy-test', '--region', 'europe-west1', '--only', 'queues'], env);
    expect(first).toContain('deploy.sh: done (queues)');
    const check = async () => {
      for (const q of queueConfig().queues) {
        const res = await fetch(`${emulator.url}/v2/${emulator.queuePath(q.name)}`);
        expect(res.status).toBe(200);
        const got = (await res.json()) as { rateLimits: Record<string, number>; retryConfig: Record<string, unknown> };
        expect(got.rateLimits).toMatchObject(q.rateLimits);
        expect(got.retryConfig).toMatchObject({
          maxAttempts: q.retryConfig.maxAttempts,
          minBackoff: q.retryConfig.minBackoff,
          maxBackoff: q.retryConfig.maxBackoff,
          maxDoublings: q.retryConfig.maxDoublings,
        });
      }
    };
    await check();
    // Change a queue by hand, run again: deploy.sh puts it back (update, not create).
    await fetch(
      `${emulator.url}/v2/${emulator.queuePath('notifications')}?updateMask=rateLimits.maxDispatchesPerSecond`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rateLimits: { maxDispatchesPerSecond: 1 } }),
      },
    );
    await deploy(['--project', 'deploy-test', '--region', 'europe-west1', '--only', 'queues'], env);
    await check();
  });
});
