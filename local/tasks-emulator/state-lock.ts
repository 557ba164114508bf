/**
 * The state directory's lock, so two emulators never write the same state. On Linux it is a listening socket in the
 * abstract namespace, named after the directory: the kernel frees it the moment its process dies (a zombie holds no
 * sockets), so a `kill -9` never leaves a lock behind, with or without an init to reap the process. Elsewhere a pid
 * file whose process is checked for life. `dir/emulator.lock` holds the owner's pid, for the error message.
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { StateError } from './persist.ts';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const ownerPid = (file: string): number => {
  try {
    return Number(readFileSync(file, 'utf8').split(':')[0]);
  } catch {
    return NaN;
  }
};

/** Whether `pid` has exited (gone, or a zombie nobody reaped yet). */
const dying = (pid: number): boolean => {
  try {
    return /^\d+ \(.*\) [ZX]/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return Number.isFinite(pid);
  }
};

const inUse = (dir: string, pid: number): StateError =>
  pid === process.pid
    ? new StateError(`State directory ${dir} is already in use by an emulator in this process.`)
    : new StateError(
        `State directory ${dir} is in use by another emulator${Number.isFinite(pid) ? ` (pid ${pid})` : ''}.`,
      );

/** Binds the abstract socket of `dir`; resolves with the server, or undefined when another process holds it. */
function bindAbstract(dir: string): Promise<Server | undefined> {
  const name = `\0storefront-tasks-emulator-${createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 32)}`;
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err),
    );
    server.listen(name, () => resolve(server.unref()));
  });
}

/** Takes the lock of `dir`; resolves with the function that releases it. */
export async function lockStateDir(dir: string): Promise<() => void> {
  const file = join(dir, 'emulator.lock');
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  let server: Server | undefined;
  if (process.platform === 'linux') {
    server = await bindAbstract(dir);
    // A process whose main thread is already a zombie may still be tearing its other threads (and so its sockets)
    // down on a busy machine: its lock is about to go, wait for it.
    for (let tries = 0; !server && dying(ownerPid(file)) && tries < 200; tries++) {
      await new Promise((r) => setTimeout(r, 50));
      server = await bindAbstract(dir);
    }
    if (!server) throw inUse(dir, ownerPid(file));
    writeFileSync(file, token); // whatever a dead owner left is stale: the socket says who holds the lock
  } else {
    try {
      writeFileSync(file, token, { flag: 'wx' });
    } catch {
      const pid = ownerPid(file);
      if (pid === process.pid || alive(pid)) throw inUse(dir, pid);
      writeFileSync(file, token); // left behind by a process that no longer runs
    }
  }
  return () => {
    server?.close();
    try {
      if (readFileSync(file, 'utf8') === token) rmSync(file);
    } catch {
      // already gone
    }
  };
}
