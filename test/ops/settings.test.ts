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
import { SETTINGS_PAGE, withSettingsTable } from '../../ops/settings/readme.ts';
import { DeploySettingsError, deployEnv } from '../../ops/deploy-env.ts';

const target = { project: 'demo-shop', region: 'europe-west1' };
const operator = { MAIL_FROM: 'orders@shop.example' };

describe('the settings catalogue', () => {
  it('knows every function of functions/', () => {
    expect(Object.keys(FUNCTIONS).sort()).toEqual([...functionNames()].sort());
  });

  it('holds exactly the settings the functions read', () => {
    const read = new Set(Object.keys(FUNCTIONS).flatMap((f) => [...readsOf(f)]));
    expect([...read].filter((s) => !SETTINGS[s]), 'read by a function but not in ops/settings/catalogue.ts').toEqual([]);
    expect(Object.keys(SETTINGS).filter((s) => !read.has(s)), 'in the catalogue but read by no function').toEqual([]);
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
    expect(withSettingsTable(page) === page, 'docs/settings.md settings table is stale: run npm run docs:settings').toBe(true);
  });

  it('gives each function samples it starts with', () => {
    for (const name of Object.keys(FUNCTIONS)) expect(() => loadConfig(FUNCTIONS[name]!, FUNCTION_SAMPLES[name]), name).not.toThrow();
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
    const s = deploySettings('aggregate-orders', target, { ...operator, REPORTS_EMAIL_TO: 'a@shop.example,b@shop.example', STORE_TIME_ZONE: 'Europe/Berlin' });
    expect(s.problems).toEqual([]);
    expect(s.vars).toMatchObject({ NODE_OPTIONS: '--enable-source-maps', OIDC_AUDIENCE: 'https://europe-west1-demo-shop.cloudfunctions.net/aggregate-orders' });
    expect(s.vars.STORE_TIME_ZONE).toBeUndefined();
    expect(s.vars.MAIL_FROM).toBeUndefined();
    expect(envVarsFlag(s.vars)).toContain(',REPORTS_EMAIL_TO=a@shop.example;b@shop.example');
    expect(deploySettings('shopify-webhook', target, operator).secrets).toEqual({ SHOPIFY_WEBHOOK_SECRETS: 'shopify-webhook-secrets' });
  });

  it('escapes a comma left in a value the way gcloud reads it', () => {
    const { vars } = deploySettings('send-notification', target, { ...operator, MAIL_FROM_NAME: 'Shop, Inc.' });
    expect(envVarsFlag(vars)).toMatch(/^\^\|\^NODE_OPTIONS=--enable-source-maps\|GOOGLE_CLOUD_PROJECT=demo-shop\|.*\|MAIL_FROM_NAME=Shop, Inc\.$/);
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
