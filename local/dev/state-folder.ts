/**
 * The dev runner's state folder (`.local/` or `--state`): one runner at a time, what `--clean` deletes, the local
 * secrets kept between runs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogStream } from './log.ts';
import { groupAlive, signalGroup, waitForGroupExit } from './procs.ts';
import { stackFile, type StackInfo } from '../stack-file.ts';

export interface Secrets {
  webhookSecret: string;
  sendgridKey: string;
}

/**
 * Throws when another runner uses this state folder. A stack.json left by a runner that was killed (SIGKILL) is
 * removed, after stopping the parts it left if they are still ours; a live runner's stack.json is never touched.
 */
export async function refuseSecondRunner(o: {
  stateDir: string;
  relState: string;
  root: string;
  log: LogStream;
}): Promise<void> {
  const file = stackFile(o.stateDir);
  if (!existsSync(file)) return;
  let other: StackInfo | undefined;
  try {
    other = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
  } catch {}
  const pid = other?.runner.pid;
  let alive = false;
  try {
    if (pid) alive = (process.kill(pid, 0), true);
  } catch {}
  if (alive) {
    throw new Error(
      `A dev stack already runs with the state folder ${o.relState}/ (runner pid ${pid}); ` +
        'it keeps running, and this command started nothing. ' +
        'Use that stack, or stop it first (Ctrl-C in its terminal), or start a second one with another --state folder and other ports.',
    );
  }
  const killed: number[] = [];
  for (const pg of other?.processGroups ?? []) {
    if (!groupAlive(pg)) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pg}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {}
    const ours =
      cmd.includes(o.root) ||
      (other?.firestore.host !== undefined && cmd.includes(`--host-port=${other.firestore.host}`));
    if (ours) {
      o.log.warn(`Stopping process group ${pg} left by a dev runner that was killed: ${cmd.slice(0, 100)}…`);
      signalGroup(pg, 'SIGKILL');
      killed.push(pg);
    } else
      o.log.warn(`Process group ${pg} of a dev runner that was killed may still be alive; stop it if it holds a port.`);
  }
  await Promise.all(killed.map((pg) => waitForGroupExit(pg, 5000)));
  rmSync(file, { force: true });
}

/** `--clean`: deletes only what the runner writes (`--state` may point anywhere). */
export function cleanState(stateDir: string, relState: string, log: LogStream): void {
  for (const p of ['tasks', 'firestore', 'outbox', 'secrets.json', 'stack.json'])
    rmSync(join(stateDir, p), { recursive: true, force: true });
  log.info(`--clean: deleted the queued tasks, Firestore data, outbox and secrets in ${relState}/`);
}

/** The local webhook secret and SendGrid key: made once, kept in `secrets.json` until `--clean`. */
export function loadSecrets(stateDir: string): Secrets {
  const file = join(stateDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Secrets;
  const secrets = {
    webhookSecret: `whsec_local_${randomBytes(16).toString('hex')}`,
    sendgridKey: `SG.local.${randomBytes(12).toString('hex')}`,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return secrets;
}
