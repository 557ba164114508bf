/**
 * Starts the real dev stack as a supervisor does, `npm run dev -- …` (npm → sh → node), in its own process group, on
 * free ports and a temp state folder; stopping it sends SIGTERM to npm's pid.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackInfo } from '../../local/stack-file.ts';
import { freePorts } from '../support/net.ts';

export const root = join(import.meta.dirname, '..', '..');

export interface Ports {
  functions: number;
  tasks: number;
  firestore: number;
  mail: number;
  console: number;
}

/** Ports for a stack: a block of `functionCount` consecutive free ports, and four more. */
export async function stackPorts(functionCount: number): Promise<Ports> {
  const base = (await freePorts(functionCount + 4))[0]!;
  return {
    functions: base,
    tasks: base + functionCount,
    firestore: base + functionCount + 1,
    mail: base + functionCount + 2,
    console: base + functionCount + 3,
  };
}

export interface RunningStack {
  /** The `npm` process; its pid leads the process group of npm, its shell and the runner. */
  child: ChildProcess;
  info: StackInfo;
  output(): string;
  /** SIGTERM to npm, then waits for npm to exit; resolves with its exit code. */
  stop(): Promise<number | null>;
  /** Cleanup after a failed test: SIGKILL to npm's group and every group the runner started. */
  kill(): void;
}

/** The arguments of the dev runner for these ports and state folder. */
export const devArgs = (stateDir: string, ports: Ports): string[] => [
  '--state',
  stateDir,
  '--functions-port',
  String(ports.functions),
  '--tasks-port',
  String(ports.tasks),
  '--firestore-port',
  String(ports.firestore),
  '--mail-port',
  String(ports.mail),
  '--console-port',
  String(ports.console),
];

/** Starts `npm run dev` in `repo` (this checkout by default), with `env` added to this process's environment. */
export async function startStack(
  stateDir: string,
  ports: Ports,
  extra: string[] = [],
  timeoutMs = 150_000,
  repo = root,
  env: NodeJS.ProcessEnv = {},
): Promise<RunningStack> {
  const args = ['run', '--silent', 'dev', '--', ...devArgs(stateDir, ports), '--raw-logs', ...extra];
  const child = spawn('npm', args, {
    cwd: repo,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const file = join(stateDir, 'stack.json');
  const until = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (child.exitCode !== null)
      throw new Error(`npm run dev exited (${child.exitCode}) before it was ready:\n${output}`);
    if (Date.now() > until) {
      child.kill('SIGTERM');
      await exited;
      throw new Error(`npm run dev was not ready within ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
  return {
    child,
    info,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill() {
      for (const g of [child.pid!, ...info.processGroups]) {
        try {
          process.kill(-g, 'SIGKILL');
        } catch {}
      }
    },
  };
}

/** Whether any process of the group `pgid` is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export { portIsFree as portFree } from '../support/net.ts';

/**
 * A `gcloud` that holds `gcloud emulators …` until `open()` (any other command runs at once): put `dir` first on the
 * PATH of a stack to see what it does while Firestore is not up yet. The hold is a FIFO read, so it ends on the
 * test's write, not on a timer.
 */
export function gatedGcloud(): { dir: string; open(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'gated-gcloud-'));
  const fifo = join(dir, 'gate');
  execFileSync('mkfifo', [fifo]);
  const real = execFileSync('sh', ['-c', 'command -v gcloud'], { encoding: 'utf8' }).trim();
  writeFileSync(
    join(dir, 'gcloud'),
    `#!/bin/sh\nif [ "$1" = emulators ]; then read _ < '${fifo}'; fi\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  // Opening a FIFO for writing waits for its reader: the shell that holds the emulator.
  return { dir, open: () => writeFile(fifo, 'open\n') };
}
