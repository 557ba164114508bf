// The settings catalogue (ops/settings/) against the functions' own schemas, docs/settings.md and deploy.sh's env: every
// setting a function reads is catalogued and nothing else is, the page's table is the catalogue's, and what
// deploy.sh and the samples set passes each function's schema.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { functionNames } from '../../esbuild.config.mjs';
import { loadConfig } from '../../shared/config.ts';
import { SETTINGS } from '../../ops/settings/catalogue.ts';
import { deploySettings, envVarsFlag, functionUrl, projectStack } from '../../ops/settings/deploy.ts';
import { FUNCTIONS, FUNCTION_SAMPLES, accessOf, defaultOf, readersOf, readsOf } from '../../ops/settings/functions.ts';
import { DEPLOYING, SETTINGS_PAGE, withSettingsTable, withSizingTable } from '../../ops/settings/readme.ts';
import { SIZES, sizeOf } from '../../ops/settings/sizing.ts';
import { queueConfig } from '../../shared/queues.ts';
import { DeploySettingsError, deployEnv } from '../../ops/deploy-env.ts';

const target = { project: 'demo-shop', region: 'europe-west1' };
const operator = { MAIL_FROM: 'orders@shop.example' };

describe('the settings catalogue', () => {
  it('knows every function of functions/', () => {
    expect(Object.keys(FUNCTIONS).sort()).toEqual([...functionNames()].sort());
  });

  it('holds exactly the settings the functions read', () => {
    const read = new Set(Object.keys(FUNCTIONS).flatMap((f) => [...readsOf(f)]));
    expect(
      [...read].filter((s) => !SETTINGS[s]),
      'read by a function but not in ops/settings/catalogue.ts',
    ).toEqual([]);
    expect(
      Object.keys(SETTINGS).filter((s) => !read.has(s)),
      'in the catalogue but read by no function',
    ).toEqual([]);
  });

  it('has one default per setting: every function that reads it agrees, unless the catalogue words it', () => {
    for (const [name, s] of Object.entries(SETTINGS)) {
      if (s.default) continue;
      const defaults = new Set(readersOf(name).map((f) => defaultOf(f, name)));
      expect([...defaults], name).toHaveLength(1);
    }
  });

  it('is the table of docs/settings.md', () => {
    const page = readFileSync(SETTINGS_PAGE, 'utf8');
    expect(
      withSettingsTable(page) === page,
      'docs/settings.md settings table is stale: run npm run docs:settings',
    ).toBe(true);
  });

  it('gives each function samples it starts with', () => {
    for (const name of Object.keys(FUNCTIONS))
      expect(() => loadConfig(FUNCTIONS[name]!, FUNCTION_SAMPLES[name]), name).not.toThrow();
  });
});

describe('deploy.sh settings', () => {
  it('fills every setting deploy.sh sets from the project for every function that reads it, and no secret', () => {
    const all = Object.keys(FUNCTIONS).map((n) => ({ name: n, access: accessOf(n), url: functionUrl(target, n) }));
    for (const [name, s] of Object.entries(SETTINGS)) {
      for (const fn of all.filter((f) => readsOf(f.name).has(name))) {
        const v = s.fill?.(projectStack(target), fn, all);
        if (s.deploy === 'stack') expect(v, `${name} of ${fn.name}`).toBeDefined();
        else expect(v, `${name} of ${fn.name}: production leaves it unset`).toBeUndefined();
      }
    }
  });

  it('passes each function only what it reads, the operator settings as given, the secrets by name', () => {
    const s = deploySettings('aggregate-orders', target, {
      ...operator,
      REPORTS_EMAIL_TO: 'a@shop.example,b@shop.example',
      STORE_TIME_ZONE: 'Europe/Berlin',
    });
    expect(s.problems).toEqual([]);
    expect(s.vars).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      OIDC_AUDIENCE: 'https://europe-west1-demo-shop.cloudfunctions.net/aggregate-orders',
    });
    expect(s.vars.STORE_TIME_ZONE).toBeUndefined();
    expect(s.vars.MAIL_FROM).toBeUndefined();
    expect(envVarsFlag(s.vars)).toContain(',REPORTS_EMAIL_TO=a@shop.example;b@shop.example');
    expect(deploySettings('shopify-webhook', target, operator).secrets).toEqual({
      SHOPIFY_WEBHOOK_SECRETS: 'shopify-webhook-secrets',
    });
  });

  it('escapes a comma left in a value the way gcloud reads it', () => {
    const { vars } = deploySettings('send-notification', target, { ...operator, MAIL_FROM_NAME: 'Shop, Inc.' });
    expect(envVarsFlag(vars)).toMatch(
      /^\^\|\^NODE_OPTIONS=--enable-source-maps\|GOOGLE_CLOUD_PROJECT=demo-shop\|.*\|MAIL_FROM_NAME=Shop, Inc\.$/,
    );
  });

  it('refuses settings a function would reject at cold start, naming each', () => {
    const args = ['--check', '--project', 'p', '--region', 'r'];
    expect(deployEnv(args, operator)).toEqual([]);
    const bad = () => deployEnv(args, { STORE_TIME_ZONE: 'Mars/Base', REPORTS_PAGE_SIZE: '0' });
    expect(bad).toThrow(DeploySettingsError);
    expect(bad).toThrow(/send-notification: MAIL_FROM: required, not set \(set it in deploy.sh's environment\)/);
    expect(bad).toThrow(/schedule-reports: STORE_TIME_ZONE: must be an IANA time zone/);
    expect(bad).toThrow(/aggregate-orders: REPORTS_PAGE_SIZE: /);
  });

  it('lists each secret with the setting it fills and the functions that read it', () => {
    expect(deployEnv(['--secret-list'], {})).toEqual([
      'sendgrid-api-key SENDGRID_API_KEY send-notification',
      'storefront-webhook-secrets STOREFRONT_WEBHOOK_SECRETS storefront-webhook',
      'shopify-webhook-secrets SHOPIFY_WEBHOOK_SECRETS shopify-webhook',
      'woocommerce-webhook-secrets WOOCOMMERCE_WEBHOOK_SECRETS woocommerce-webhook',
    ]);
  });
});

describe('sizing (ops/settings/sizing.ts)', () => {
  it('sizes every function of functions/, and is the table of docs/deploying.md', () => {
    expect(Object.keys(SIZES).sort()).toEqual([...functionNames()].sort());
    const doc = readFileSync(DEPLOYING, 'utf8');
    expect(withSizingTable(doc) === doc, 'docs/deploying.md sizing table is stale: run npm run docs:settings').toBe(
      true,
    );
  });

  it("lets each queue's concurrent dispatches find room in its target", () => {
    for (const q of queueConfig().queues) {
      const s = SIZES[q.target!]!;
      expect(s.maxInstances * s.concurrency, `${q.name} → ${q.target}`).toBeGreaterThanOrEqual(
        q.rateLimits.maxConcurrentDispatches!,
      );
    }
  });

  it('keeps aggregate-orders at one shard step per instance and the webhooks warm', () => {
    expect(SIZES['aggregate-orders']).toMatchObject({ concurrency: 1, timeoutSeconds: 600 });
    for (const w of ['storefront-webhook', 'shopify-webhook', 'woocommerce-webhook'])
      expect(SIZES[w], w).toMatchObject({ minInstances: 1, cpuBoost: true });
  });

  it('takes overrides from DEPLOY_<FUNCTION>_<KNOB> and prints them as gcloud flags', () => {
    const env = {
      ...operator,
      DEPLOY_AGGREGATE_ORDERS_MEMORY: '1Gi',
      DEPLOY_AGGREGATE_ORDERS_TIMEOUT: '900s',
      DEPLOY_AGGREGATE_ORDERS_CPU_BOOST: 'true',
    };
    const args = ['aggregate-orders', '--project', 'p', '--region', 'r'];
    expect(deployEnv([...args, '--sizing'], env)).toEqual([
      '--memory=1Gi --cpu=1 --concurrency=1 --timeout=900s --min-instances=0 --max-instances=5',
    ]);
    expect(deployEnv([...args, '--cpu-boost'], env)).toEqual(['--cpu-boost']);
    expect(deployEnv([...args, '--cpu-boost'], operator)).toEqual(['--no-cpu-boost']);
  });

  it('refuses a bad override before anything changes, naming the setting', () => {
    const args = ['--check', '--project', 'p', '--region', 'r'];
    const cases: [Record<string, string>, string][] = [
      [
        { DEPLOY_SEND_NOTIFICATION_MEMORY: '1G' },
        'send-notification: DEPLOY_SEND_NOTIFICATION_MEMORY: "1G" is not a size like 512Mi or 1Gi',
      ],
      [
        { DEPLOY_SEND_NOTIFICATION_CONCURRENCY: '0' },
        'DEPLOY_SEND_NOTIFICATION_CONCURRENCY: "0" is not a whole number from 1 to 1000',
      ],
      [
        { DEPLOY_SCHEDULE_REPORTS_TIMEOUT: '2h' },
        'DEPLOY_SCHEDULE_REPORTS_TIMEOUT: "2h" is not seconds from 1 to 3600',
      ],
      [{ DEPLOY_SHOPIFY_WEBHOOK_CPU_BOOST: 'yes' }, 'DEPLOY_SHOPIFY_WEBHOOK_CPU_BOOST: "yes" is not true or false'],
      [
        { DEPLOY_SHOPIFY_WEBHOOK_MIN_INSTANCES: '20' },
        'DEPLOY_SHOPIFY_WEBHOOK_MIN_INSTANCES (20) is above DEPLOY_SHOPIFY_WEBHOOK_MAX_INSTANCES (10)',
      ],
      [
        { DEPLOY_STOREFRONT_WEBHOOK_CPU: '0.5' },
        'a concurrency of 32 needs at least 1 vCPU (DEPLOY_STOREFRONT_WEBHOOK_CPU is 0.5)',
      ],
    ];
    for (const [env, message] of cases) {
      expect(() => deployEnv(args, { ...operator, ...env }), message).toThrow(DeploySettingsError);
      expect(() => deployEnv(args, { ...operator, ...env })).toThrow(message);
    }
    expect(sizeOf('aggregate-orders', { DEPLOY_AGGREGATE_ORDERS_CPU: '2' }).size.cpu).toBe(2);
  });
});
