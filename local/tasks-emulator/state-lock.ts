/** A pid lock file so two emulators never write the same state directory; a lock left by a killed process is taken over. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Takes `dir/emulator.lock`; returns the function that releases it. */
export function lockStateDir(dir: string): () => void {
  const file = join(dir, 'emulator.lock');
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  try {
    writeFileSync(file, token, { flag: 'wx' });
  } catch {
    const pid = Number(readFileSync(file, 'utf8').split(':')[0]);
    if (pid !== process.pid && alive(pid)) throw new StateError(`State directory ${dir} is in use by another emulator (pid ${pid}).`);
    if (pid === process.pid) throw new StateError(`State directory ${dir} is already in use by an emulator in this process.`);
    writeFileSync(file, token); // left behind by a process that no longer runs
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8') === token) rmSync(file);
    } catch {
      // already gone
    }
  };
}
