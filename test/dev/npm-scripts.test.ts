// Every long-running npm script stops on a SIGTERM sent to npm's pid, as an IDE, a process manager or a CI step
// sends it: npm forwards it to its shell, so each script `exec`s node. `npm run dev` is checked the same way in
// dev-stack.test.ts (it needs the whole stack).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { freePort } from '../support/net.ts';
import { groupAlive, portFree, root } from './support.ts';

/** `npm run <script> -- <args>` in its own process group; resolves once it printed its first line. */
async function npmRun(script: string, args: string[]): Promise<{ pid: number; exited: Promise<number | null> }> {
  const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  return { pid: child.pid!, exited };
}

/** A stack.json for `npm run console` (it only needs the addresses; nothing has to answer there). */
function fakeStack(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-stack-'));
  const file = join(dir, 'stack.json');
  const none = 'http://127.0.0.1:9';
  writeFileSync(
    file,
    JSON.stringify({
      project: 'storefront-local',
      location: 'us-central1',
      runner: { pid: process.pid },
      functions: {},
      tasksEmulator: { url: none },
      mailSink: { url: none },
      firestore: { host: '127.0.0.1:9' },
    }),
  );
  return file;
}

describe('long-running npm scripts under a supervisor', () => {
  for (const script of ['emulator', 'mail-sink', 'console']) {
    it(`npm run ${script}: SIGTERM to npm stops it; no process and no port left`, async () => {
      const port = await freePort();
      const stack = script === 'console' ? fakeStack() : undefined;
      const npm = await npmRun(script, ['--port', String(port), ...(stack ? ['--stack', stack] : [])]);
      if (stack) rmSync(join(stack, '..'), { recursive: true, force: true });
      expect(await portFree(port)).toBe(false);
      process.kill(npm.pid, 'SIGTERM');
      await npm.exited;
      try {
        await eventually(() => expect(groupAlive(npm.pid), 'npm, its shell and node').toBe(false), { timeout: 30_000 });
      } finally {
        if (groupAlive(npm.pid)) process.kill(-npm.pid, 'SIGKILL');
      }
      expect(await portFree(port)).toBe(true);
    });
  }
});
