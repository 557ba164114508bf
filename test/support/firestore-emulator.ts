/**
 * Starts the real Firestore emulator (gcloud) on a free port, in its own process group, with a throw-away gcloud
 * config, and stops the whole group (the gcloud wrapper and its Java child) afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForHttp } from './net.ts';

export interface FirestoreEmulator {
  host: string;
  /** The process group of gcloud and the emulator's JVM (the bench reads its CPU time). */
  pgid: number | undefined;
  stop(): Promise<void>;
}

export async function startFirestoreEmulator(): Promise<FirestoreEmulator> {
  const port = await freePort();
  const config = mkdtempSync(join(tmpdir(), 'gcloud-config-'));
  const child: ChildProcess = spawn(
    'gcloud',
    ['emulators', 'firestore', 'start', `--host-port=127.0.0.1:${port}`, '--quiet'],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CLOUDSDK_CONFIG: config, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
    },
  );
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const host = `127.0.0.1:${port}`;
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
    rmSync(config, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`http://${host}/`, 60_000, () => child.exitCode !== null);
  } catch (err) {
    await stop();
    throw new Error(`The Firestore emulator did not start: ${(err as Error).message}\n${output}`);
  }
  return { host, pgid: child.pid, stop };
}
