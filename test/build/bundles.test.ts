// Every dist/<name>/ folder must start the way the Cloud Functions Node buildpack runs it: copied alone, with only
// its declared dependencies installed by `npm ci --omit=dev`, `node --check` on its main file, then
// functions-framework --target=<name> with NODE_ENV=production. esbuild hides load-time failures of Google
// client libraries, so nothing short of starting the bundle and getting an answer counts.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXTERNAL, functionNames } from '../../esbuild.config.mjs';
import { SIGNATURE_HEADER, signWebhook } from '../../shared/signature.ts';
import { created } from '../support/events.ts';
import { eventually } from '../support/eventually.ts';
import { FUNCTION_ENV } from '../support/function-env.ts';
import { freePort, waitForHttp } from '../support/net.ts';
import { stageDeployFolder } from '../support/deploy-folder.ts';

const root = join(import.meta.dirname, '..', '..');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const temps: (() => void)[] = [];
const MALFORMED = '{"customer":{"email":"jane.doe@example.com","name":"Jane Doe"';
afterAll(() => {
  for (const remove of temps) remove();
});

describe.each(functionNames())('dist/%s', (name) => {
  const dist = join(root, 'dist', name);

  it('is a complete deploy folder', () => {
    expect(existsSync(join(dist, 'index.js')), `dist/${name} is missing: run npm run build`).toBe(true);
    const pkg = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'));
    expect(pkg.main).toBe('index.js');
    expect(pkg.scripts?.build).toBeUndefined();
    expect(pkg.scripts?.['gcp-build']).toBe('node warm-cache.cjs');
    expect(pkg.dependencies['@google-cloud/functions-framework']).toBe(
      rootPkg.dependencies['@google-cloud/functions-framework'],
    );
    for (const [dep, version] of Object.entries(pkg.dependencies)) {
      expect(EXTERNAL).toContain(dep);
      expect(version).toBe(rootPkg.dependencies[dep]);
    }
    const lock = JSON.parse(readFileSync(join(dist, 'package-lock.json'), 'utf8'));
    expect(lock.packages[''].dependencies).toEqual(pkg.dependencies);
    expect(existsSync(join(dist, 'index.js.map'))).toBe(true);
    const ignore = readFileSync(join(dist, '.gcloudignore'), 'utf8');
    expect(ignore).toContain('node_modules');
    expect(ignore).not.toMatch(/\.map/);
  });

  it('starts from a copy with only its declared dependencies and answers', { timeout: 180_000 }, async () => {
    const env = FUNCTION_ENV[name];
    expect(env, `add a minimal environment for ${name} to test/support/function-env.ts`).toBeDefined();
    const staged = stageDeployFolder(name);
    temps.push(staged.remove);
    const dir = staged.dir;
    expect(existsSync(join(dir, '.gcloudignore'))).toBe(false); // not uploaded, as gcloud would not
    execFileSync(process.execPath, ['--check', 'index.js'], { cwd: dir });
    // The client libraries load on first use (shared/lazy.ts), after the first answer: each declared dependency must
    // load from the folder, or the first real request would fail where starting did not.
    for (const dep of Object.keys(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies)) {
      execFileSync(process.execPath, ['-e', `require(${JSON.stringify(dep)})`], { cwd: dir });
    }
    const { port, child, output } = await startFolder(dir, name, {
      HOME: process.env.HOME,
      NODE_OPTIONS: '--enable-source-maps',
      ...env,
    });
    try {
      // Every function answers a GET with its own 405 JSON error: proof that the bundle loaded and registered.
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(res.status, output()).toBe(405);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('method-not-allowed');
      // A malformed JSON body gets our JSON answer (the webhooks: 400 invalid-json before the signature is checked;
      // a task target: 401, as it verifies the token first) and one masked log line, not functions-framework's
      // HTML page with the raw body and stack on stderr (shared/body-errors.ts).
      const malformed = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: MALFORMED,
      });
      expect(malformed.headers.get('content-type'), output()).toMatch(/^application\/json/);
      const answer = (await malformed.json()) as { error: { code: string } };
      expect([malformed.status, answer.error.code]).toEqual(
        name.endsWith('-webhook') ? [400, 'invalid-json'] : [401, 'unauthenticated'],
      );
      if (name === 'storefront-webhook') {
        // A signed event with an invalid id: 400 naming it, in zod's English (the bundles keep only its `en`
        // locale, esbuild.config.mjs), answered before anything is stored.
        const body = JSON.stringify({
          id: 5,
          type: 'order.completed',
          createdAt: '2026-11-23T10:00:00Z',
          data: { orderId: 'o-1', completedAt: '2026-11-23T10:00:00Z' },
        });
        const secret = env!.STOREFRONT_WEBHOOK_SECRETS!.split(',')[0]!;
        const invalid = await postSigned(port, secret, body);
        const error = ((await invalid.json()) as { error: { code: string; message: string } }).error;
        expect([invalid.status, error.code], output()).toEqual([400, 'invalid-payload']);
        expect(error.message).toMatch(/\bid: .*expected string, received number/i);
      }
      await eventually(() => expect(output()).toMatch(/"message":"Rejected request"/));
      expect(output()).not.toContain('jane.doe@example.com');
      expect(output()).not.toMatch(/SyntaxError|<pre>/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('dist/storefront-webhook outside the emulators, without credentials', () => {
  it('answers 500 and logs at ERROR what to fix, loading the libraries from its folder (compiled at build), and keeps serving', {
    timeout: 180_000,
  }, async () => {
    const staged = stageDeployFolder('storefront-webhook');
    temps.push(staged.remove);
    const { FIRESTORE_EMULATOR_HOST: _f, CLOUD_TASKS_EMULATOR_HOST: _t, ...env } = FUNCTION_ENV['storefront-webhook']!;
    const missing = join(staged.dir, 'no-such-key.json');
    // NODE_DEBUG_NATIVE: Node says which compiled code it took from the cache that gcp-build filled.
    const { port, child, output } = await startFolder(staged.dir, 'storefront-webhook', {
      HOME: staged.dir,
      GOOGLE_APPLICATION_CREDENTIALS: missing,
      NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
      ...env,
    });
    try {
      const secret = env.STOREFRONT_WEBHOOK_SECRETS!.split(',')[0]!;
      for (const orderId of ['o-cred-1', 'o-cred-2']) {
        const body = JSON.stringify(created(orderId));
        const res = await postSigned(port, secret, body);
        // A configuration failure, not an outage: 500 (a storefront retries it, but nobody is told to wait it out).
        expect(res.status, output()).toBe(500);
      }
      const logged = () =>
        output()
          .split('\n')
          .filter((l) => l.includes('"invalid-config"'))
          .map((l) => JSON.parse(l) as { severity: string; message: string; code: string });
      await eventually(() => expect(logged()).toHaveLength(2));
      for (const line of logged()) {
        expect(line).toMatchObject({ severity: 'ERROR', code: 'invalid-config' });
        expect(line.message).toContain(missing);
        expect(line.message).toMatch(/To fix: .*GOOGLE_APPLICATION_CREDENTIALS/);
      }
      // google-auth-library (loaded first; the Google libraries only once credentials are there) came from the
      // compile cache that the folder's gcp-build (warm-cache.cjs) filled.
      expect(output()).toMatch(
        /cache for \S*\/node_modules\/google-auth-library\/build\/src\/auth\/googleauth\.js was accepted/,
      );
      // The libraries leave no unhandled rejection behind (it would end the process): it still answers.
      expect(child.exitCode).toBeNull();
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(405);
      expect(output()).not.toMatch(/Unhandled|jane\.doe@example\.com/i);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

/**
 * Starts functions-framework from a staged deploy folder as the buildpack's image does (NODE_ENV=production, only the
 * folder's own dependencies) and waits until it answers; `output()` is everything it printed so far.
 */
async function startFolder(dir: string, name: string, env: Record<string, string | undefined>) {
  const port = await freePort();
  const ff = join(dir, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
  const child = spawn(process.execPath, [ff, `--target=${name}`, `--port=${port}`], {
    cwd: dir,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout.on('data', (d) => (printed += d));
  child.stderr.on('data', (d) => (printed += d));
  const output = () => printed;
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, 30_000, () => child.exitCode !== null);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start: ${(err as Error).message}\n${printed}`);
  }
  return { port, child, output };
}

/** POSTs `body` to the function on `port`, signed with `secret` as a storefront signs its webhooks. */
const postSigned = (port: number, secret: string, body: string): Promise<Response> =>
  fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(Date.now() / 1000)),
    },
    body,
  });
