/**
 * Child processes of the dev runner. Each runs in its own process group (`detached`), so stopping it stops its
 * children too (gcloud's Java emulator survives killing gcloud alone), and a Ctrl-C in the terminal reaches only
 * the runner, which then stops the parts in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lineSplitter, type LogStream } from './log.ts';

export interface Part {
  /** The tag of its log lines, e.g. `firestore`, `send-notification`. */
  name: string;
  pid: number;
  /** Resolves with the exit code (or signal name) once the whole process has exited. */
  exited: Promise<string>;
  hasExited(): boolean;
  /** Stops the process group: SIGTERM, then SIGKILL after `graceMs`; resolves when no member is left. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: LogStream;
  /** Rewrites or drops (`undefined`) a line before it is logged. */
  filter?: (line: string) => string | undefined;
  /** Called when the process exits while nobody asked it to stop. */
  onUnexpectedExit?: (part: Part, how: string) => void;
}

/** Starts a process in its own group and streams its output, line by line, into `log`. */
export function startPart(o: StartOptions): Part {
  const child: ChildProcess = spawn(o.command, o.args, {
    cwd: o.cwd,
    env: o.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stopping = false;
  let done = false;
  const onLine = (l: string): void => {
    const shown = o.filter ? o.filter(l) : l;
    if (shown !== undefined) o.log.line(o.name, shown);
  };
  const out = lineSplitter(onLine);
  const err = lineSplitter(onLine);
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => err.push(d));
  const exited = new Promise<string>((resolve) => {
    child.once('error', (e) => {
      done = true;
      resolve(`failed to start: ${e.message}`);
    });
    child.once('close', (code, signal) => {
      out.end();
      err.end();
      done = true;
      resolve(signal ? `signal ${signal}` : `code ${code}`);
    });
  });
  const part: Part = {
    name: o.name,
    pid: child.pid ?? -1,
    exited,
    hasExited: () => done,
    async stop(graceMs = 5000) {
      stopping = true;
      if (child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      const gone = await waitForGroupExit(child.pid, graceMs);
      if (!gone) {
        o.log.warn(`${o.name} did not stop within ${graceMs} ms of SIGTERM: killing it (SIGKILL)`);
        signalGroup(child.pid, 'SIGKILL');
        await waitForGroupExit(child.pid, 2000);
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
    },
  };
  void exited.then((how) => {
    if (!stopping) o.onUnexpectedExit?.(part, how);
  });
  return part;
}

/** Sends `signal` to every process of the group led by `pgid`; false when there is none. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process of the group `pgid` is still alive. */
export const groupAlive = (pgid: number): boolean => signalGroup(pgid, 0);

export async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
