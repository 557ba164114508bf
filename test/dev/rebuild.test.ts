// `npm run dev -- --rebuild-on-change`: saving a file rebuilds and restarts only the functions whose bundle
// contains it, and the change is live. Runs the real dev runner from a copy of the repository, so the test can edit
// sources without touching the working tree.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { functionNames } from '../../esbuild.config.mjs';
import type { StackInfo } from '../../local/stack-file.ts';
import { signWebhook } from '../../shared/signature.ts';
import { eventually } from '../support/eventually.ts';
import { root, stackPorts, startStack, type RunningStack } from './support.ts';

let copy: string | undefined;
let stack: RunningStack | undefined;
afterAll(async () => {
  await stack?.stop();
  if (copy) rmSync(copy, { recursive: true, force: true });
});

/** The tracked files of the repository in a temp folder, sharing this checkout's node_modules. */
function copyRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dev-rebuild-'));
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(root, f), join(dir, f));
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

describe('npm run dev -- --rebuild-on-change', () => {
  it('restarts only the function whose source changed, with the change live', { timeout: 240_000 }, async () => {
    copy = copyRepository();
    const state = join(copy, '.local');
    const ports = await stackPorts(functionNames().length);
    stack = await startStack(state, ports, ['--rebuild-on-change'], 150_000, copy);
    const before = stack.info;
    const readStack = () => JSON.parse(readFileSync(join(state, 'stack.json'), 'utf8')) as StackInfo;

    const unknownEvent = async () => {
      const body = JSON.stringify({
        id: `evt-unknown-${Date.now()}`,
        type: 'order.refunded',
        createdAt: '2026-11-23T10:00:00Z',
        data: {},
      });
      const res = await fetch(before.functions['storefront-webhook']!.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-storefront-signature': signWebhook(before.webhook.secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
      });
      return (await res.json()) as Record<string, unknown>;
    };
    expect(await unknownEvent()).not.toHaveProperty('edited');

    // Save a change to storefront-webhook's own logic.
    const handle = join(copy, 'functions', 'storefront-webhook', 'handle.ts');
    const source = readFileSync(handle, 'utf8');
    // (The answer is built by shared/intake.ts; handle.ts sends it: add a field there.)
    const sent = 'res.status(202).json(await accept(req.body, intake));';
    expect(source).toContain(sent);
    writeFileSync(
      handle,
      source.replace(sent, 'res.status(202).json({ ...(await accept(req.body, intake)), edited: true });'),
    );

    await eventually(async () => expect(await unknownEvent()).toMatchObject({ ignored: true, edited: true }), {
      timeout: 90_000,
      interval: 500,
    });
    // The new process may answer before the runner has logged the restart: wait for its log line (written after
    // stack.json), not for a moment.
    await eventually(() => expect(stack!.output()).toMatch(/Restarted storefront-webhook in \d+ ms/), {
      timeout: 30_000,
    });
    const after = readStack();
    expect(after.functions['storefront-webhook']!.pid).not.toBe(before.functions['storefront-webhook']!.pid);
    expect(after.functions['send-notification']!.pid).toBe(before.functions['send-notification']!.pid);
    expect(stack.output()).toMatch(/Restarted storefront-webhook in \d+ ms/);
    expect(stack.output()).not.toMatch(/Restarted send-notification/);
  });
});
