// deploy.sh's whole life against a recording gcloud stand-in on PATH (a small project that its creates and deletes
// change), with every command it ran also parsed by the real gcloud CLI's own argument parser: deploy, destroy,
// secret, and --help.
import { execFile } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deploySh, emptyWorld, gcloudParses, gcloudStandIn, root, type Call, type StandIn } from '../support/gcloud.ts';

const P = ['--project', 'demo-shop'];
const PR = [...P, '--region', 'europe-west1'];
// Long: every gcloud call starts a node process (the stand-in), and a deploy makes about 80.
const SLOW = { timeout: 240_000 };
const SECRETS = {
  SENDGRID_API_KEY: 'SG.env-sendgrid-value-0001',
  STOREFRONT_WEBHOOK_SECRETS: 'env-storefront-secret-0002',
};

let g: StandIn;
beforeEach(() => {
  g = gcloudStandIn();
});
afterEach(() => g.remove());

/** Every recorded call parses with the real gcloud CLI; returns the calls. */
async function parsed(calls: Call[]): Promise<Call[]> {
  const results = await gcloudParses(calls.map((c) => c.argv));
  const bad = results.flatMap((r, i) => (r.ok ? [] : [`gcloud ${calls[i]!.argv.join(' ')}\n  ${r.error}`]));
  expect(bad).toEqual([]);
  return calls;
}
const line = (c: Call) => c.argv.join(' ');
const changes = (calls: Call[]) => calls.filter((c) => !/ (describe|get-iam-policy|list|access) /.test(` ${line(c)} `));

describe('deploy.sh --help', () => {
  it('prints the usage of all four commands and exits 0', async () => {
    const r = await deploySh(['--help'], g.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Deploys storefront-jobs/);
    for (const cmd of ['verify', 'destroy', 'secret']) expect(r.stdout).toContain(`./deploy.sh ${cmd} `);
    expect(r.stdout).not.toMatch(/set -euo|^#|cd "\$/m);
    expect(g.calls()).toEqual([]);
  });

  it('names the flag that lacks a value, and an unknown argument', async () => {
    expect(await deploySh(['--project'], g.env)).toMatchObject({
      code: 2,
      stderr: 'deploy.sh: --project needs a value\n',
    });
    expect(await deploySh(['destroy', '--project', 'p', '--region'], g.env)).toMatchObject({
      code: 2,
      stderr: 'deploy.sh destroy: --region needs a value\n',
    });
    expect((await deploySh([...PR, '--only', 'functons'], g.env)).stderr).toContain('--only: unknown step functons');
    expect((await deploySh(['destroy', ...PR, '--force'], g.env)).stderr).toContain('unknown argument --force');
    expect(g.calls()).toEqual([]);
  });
});

describe("gcloud's own parser", () => {
  it('refuses what gcloud would refuse: an unknown flag, --cpu without --memory', async () => {
    const r = await gcloudParses([
      ['functions', 'deploy', 'f', '--region=r', '--memory=512Mi', '--cpu=1'],
      ['functions', 'deploy', 'f', '--region=r', '--memory=512Mi', '--cpu-boost'],
      ['functions', 'deploy', 'f', '--region=r', '--cpu=1'],
    ]);
    expect(r.map((x) => x.ok)).toEqual([true, false, false]);
    expect(r[1]!.error).toContain('unrecognized arguments: --cpu-boost');
    expect(r[2]!.error).toContain('--memory must be specified');
  });
});

describe('ops/deploy/common.sh', () => {
  it('finds a whole line in a text longer than a pipe holds, under pipefail (echo | grep -q can lose it to SIGPIPE)', async () => {
    const script = [
      'set -euo pipefail; PROJECT=p; source ops/deploy/common.sh',
      'text="first"$\'\\n\'"$(seq 1 30000)"',
      'yes() { "$@" || { echo "not found: $*"; exit 1; }; }',
      'no() { if "$@"; then echo "found: $*"; exit 1; fi; }',
      'yes has_line "$text" first; yes has_line "$text" 30000; no has_line "$text" 0; no has_line "$text" 30001; no has_line "$text" firs',
      'yes has_function send-notification; no has_function send',
      'echo ok',
    ].join('\n');
    const r = await new Promise<string>((resolve, reject) =>
      execFile('bash', ['-c', script], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) =>
        err ? reject(new Error(stdout + stderr || err.message)) : resolve(stdout),
      ),
    );
    expect(r).toBe('ok\n');
  });
});

describe('deploy.sh on the stand-in', () => {
  it(
    'deploys everything with commands gcloud parses, keeps secret values off every command line and output, and a second run creates nothing',
    SLOW,
    async () => {
      const first = await deploySh([...PR, '--skip-build'], {
        ...g.env,
        ...SECRETS,
        DEPLOY_SEND_NOTIFICATION_MAX_INSTANCES: '7',
      });
      expect(first.code, first.stderr).toBe(0);
      const calls = await parsed(g.calls());
      // Each function sized by its row of ops/settings/sizing.ts (an override applied), the boost on its Cloud Run service.
      const deployOf = (f: string) => line(calls.find((c) => line(c).includes(`functions deploy ${f} `))!);
      expect(deployOf('aggregate-orders')).toContain(
        ' --memory=512Mi --cpu=1 --concurrency=1 --timeout=600s --min-instances=0 --max-instances=5 ',
      );
      expect(deployOf('storefront-webhook')).toContain(' --concurrency=32 --timeout=30s --min-instances=1 ');
      expect(deployOf('send-notification')).toContain(' --max-instances=7 ');
      expect(calls.map(line)).toContain(
        '--project=demo-shop --quiet run services update aggregate-orders --region=europe-west1 --no-cpu-boost',
      );
      expect(calls.map(line)).toContain(
        '--project=demo-shop --quiet run services update shopify-webhook --region=europe-west1 --cpu-boost',
      );
      const w = g.world();
      expect(Object.keys(w.functions).sort()).toEqual([
        'aggregate-orders',
        'schedule-reports',
        'send-notification',
        'shopify-webhook',
        'storefront-webhook',
        'woocommerce-webhook',
      ]);
      expect(Object.keys(w.queues).sort()).toEqual(['notifications', 'reports']);
      expect(Object.keys(w.jobs)).toEqual(['nightly-reports']);
      expect(w.secrets['sendgrid-api-key']!.versions.map((v) => v.data)).toEqual([SECRETS.SENDGRID_API_KEY]);
      for (const value of Object.values(SECRETS)) {
        expect(first.stdout + first.stderr).not.toContain(value);
        expect(calls.map(line).join('\n')).not.toContain(value);
      }
      g.clearCalls();
      const again = await deploySh([...PR, '--skip-build'], g.env);
      expect(again.code, again.stderr).toBe(0);
      expect(
        g
          .calls()
          .filter((c) => / create /.test(` ${line(c)} `))
          .map(line),
      ).toEqual([]);
    },
  );
});

describe('deploy.sh destroy', () => {
  async function deployed(): Promise<void> {
    const r = await deploySh([...PR, '--skip-build'], { ...g.env, ...SECRETS });
    expect(r.code, r.stderr).toBe(0);
    g.clearCalls();
  }

  it('plans with --dry-run (+ gcloud lines that parse) and changes nothing', SLOW, async () => {
    await deployed();
    const before = g.world();
    const r = await deploySh(['destroy', ...PR, '--dry-run'], g.env);
    expect(r.code, r.stderr).toBe(0);
    const plan = r.stdout.split('\n').filter((l) => l.startsWith('+ gcloud '));
    expect(plan[0]).toBe(
      '+ gcloud --project=demo-shop --quiet scheduler jobs delete nightly-reports --location=europe-west1',
    );
    expect(plan.at(-1)).toBe(
      '+ gcloud --project=demo-shop --quiet iam service-accounts delete fn-woocommerce-webhook@demo-shop.iam.gserviceaccount.com',
    );
    expect(plan.filter((l) => l.includes('secrets delete'))).toEqual([]);
    expect(g.world()).toEqual(before);
    expect(changes(g.calls())).toEqual([]);
    // The plan's lines are shell words (printf %q); none here needs quoting, so splitting on spaces gives gcloud's argv.
    await parsed(plan.map((l) => ({ argv: l.slice('+ gcloud '.length).split(' ') })));
  });

  it('asks for the project id and deletes nothing when it is not typed', SLOW, async () => {
    await deployed();
    const before = g.world();
    const r = await deploySh(['destroy', ...PR], g.env, 'demo-shop-typo\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Type the project id to go on');
    expect(r.stderr).toContain('not confirmed (typed "demo-shop-typo", not "demo-shop"): nothing deleted');
    expect(g.world()).toEqual(before);
  });

  it(
    'deletes what deploy created in order, keeps the secrets without our bindings, and is safe to run twice',
    SLOW,
    async () => {
      await deployed();
      const r = await deploySh(['destroy', ...PR], g.env, 'demo-shop\n');
      expect(r.code, r.stderr).toBe(0);
      const w = g.world();
      expect({ ...w, secrets: {} }).toEqual(emptyWorld());
      expect(Object.values(w.secrets).map((s) => s.bindings)).toEqual([[], [], [], []]);
      const order = (await parsed(changes(g.calls()))).map((c) => c.argv.slice(2, 4).join(' '));
      const first = (what: string) => order.indexOf(what);
      const last = (what: string) => order.lastIndexOf(what);
      expect(last('scheduler jobs')).toBeLessThan(first('functions delete'));
      expect(last('functions delete')).toBeLessThan(first('tasks queues'));
      expect(last('projects remove-iam-policy-binding')).toBeLessThan(first('iam service-accounts'));
      expect(last('secrets remove-iam-policy-binding')).toBeLessThan(first('iam service-accounts'));
      g.clearCalls();
      const twice = await deploySh(['destroy', ...PR, '--yes'], g.env);
      expect(twice.code, twice.stderr).toBe(0);
      expect(changes(g.calls())).toEqual([]);
      expect(twice.stdout).toContain('deploy.sh destroy: function send-notification: already gone');
    },
  );

  it('deletes the secrets only with --delete-secrets, and never what deploy did not create', SLOW, async () => {
    await deployed();
    const w = g.world();
    w.functions['someone-elses'] = { bindings: [] };
    w.serviceAccounts['other@demo-shop.iam.gserviceaccount.com'] = { bindings: [] };
    w.projectBindings.push(['roles/datastore.user', 'user:owner@shop.example']);
    g.setWorld(w);
    const r = await deploySh(['destroy', ...PR, '--yes', '--delete-secrets'], g.env);
    expect(r.code, r.stderr).toBe(0);
    expect(g.world()).toEqual({
      serviceAccounts: { 'other@demo-shop.iam.gserviceaccount.com': { bindings: [] } },
      projectBindings: [['roles/datastore.user', 'user:owner@shop.example']],
      secrets: {},
      queues: {},
      functions: { 'someone-elses': { bindings: [] } },
      jobs: {},
    });
    await parsed(changes(g.calls()));
  });
});

describe('deploy.sh secret', () => {
  const NAME = 'storefront-webhook-secrets';
  const all = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr + g.calls().map(line).join('\n');

  it(
    'adds the value from standard input as a new version, never printing it or passing it as an argument',
    SLOW,
    async () => {
      const value = 'sg-from-stdin-value-0003';
      const r = await deploySh(['secret', 'sendgrid-api-key', ...P], g.env, `${value}\n`);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('deploy.sh secret: sendgrid-api-key: new version added (1 value)');
      expect(g.world().secrets['sendgrid-api-key']!.versions).toEqual([{ data: value, state: 'enabled' }]);
      const add = g.calls().find((c) => line(c).includes('versions add'))!;
      expect(add).toEqual({
        argv: ['--project=demo-shop', '--quiet', 'secrets', 'versions', 'add', 'sendgrid-api-key', '--data-file=-'],
        stdinBytes: value.length,
      });
      expect(all(r)).not.toContain(value);
      await parsed(g.calls());
    },
  );

  it('rotates a webhook secret: the new value beside the current one, then only the newest', SLOW, async () => {
    const [a, b] = ['first-webhook-secret-0004', 'second-webhook-secret-0005'];
    const outputs: string[] = [];
    for (const [args, input] of [
      [[], a],
      [['--rotate'], b],
      [['--finish-rotation'], ''],
    ] as const) {
      const r = await deploySh(['secret', NAME, ...P, ...args], g.env, input);
      expect(r.code, r.stderr).toBe(0);
      outputs.push(r.stdout + r.stderr);
    }
    expect(g.world().secrets[NAME]!.versions.map((v) => v.data)).toEqual([a, `${a},${b}`, b]);
    const again = await deploySh(['secret', NAME, ...P, '--finish-rotation'], g.env);
    expect(again.stdout).toContain('holds one value: no rotation to finish');
    expect(g.world().secrets[NAME]!.versions).toHaveLength(3);
    for (const v of [a, b]) expect(outputs.join('\n') + all(again)).not.toContain(v);
    await parsed(g.calls());
  });

  it('with --dry-run adds nothing and prints the plan without the value', SLOW, async () => {
    const value = 'dry-run-secret-value-0006';
    const r = await deploySh(['secret', NAME, ...P, '--dry-run'], g.env, value);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `+ gcloud --project=demo-shop --quiet secrets versions add ${NAME} --data-file=- (the value on standard input)`,
    );
    expect(g.world().secrets).toEqual({});
    expect(all(r)).not.toContain(value);
  });

  it('refuses bad input with the reason, naming the flag or secret', async () => {
    const cases: [string[], string, string][] = [
      [
        ['secret', 'nope', ...P],
        'x'.repeat(20),
        'unknown secret nope; secrets: sendgrid-api-key storefront-webhook-secrets',
      ],
      [['secret', NAME, ...P], 'too-short', 'a webhook secret has at least 16 characters'],
      [['secret', NAME, ...P], 'has,a-comma-in-it-0007', 'a webhook secret is one value; a comma would split it'],
      [['secret', NAME, ...P], '', 'no value on standard input'],
      [
        ['secret', 'sendgrid-api-key', ...P, '--rotate'],
        'x'.repeat(20),
        '--rotate and --finish-rotation are for the webhook secrets',
      ],
      [
        ['secret', NAME, ...P, '--rotate', '--finish-rotation'],
        '',
        '--rotate and --finish-rotation exclude each other',
      ],
      [['secret', NAME], 'x'.repeat(20), '--project is required'],
    ];
    for (const [args, input, message] of cases) {
      const r = await deploySh(args, g.env, input);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`deploy.sh secret: ${message}`);
    }
    expect(changes(g.calls())).toEqual([]);
  });
});
