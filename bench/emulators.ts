/**
 * The emulator section of `npm run bench`: the workload (local/tasks-emulator/bench-workload.ts) against our emulator
 * (local/tasks-emulator/bench.ts) and, with `--firebase=<folder>`, against the Firebase tasks emulator installed there
 * (bench/firebase-tasks.ts), alternately, each run in its own child process; rows give the median (min–max) of the rounds.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './stack.ts';

type Run = {
  startMs: number;
  throughputPerSecond: Record<string, number>;
  createsPerSecond: Record<string, number>;
  rate50: { measuredPerSecond: number; errorPercent: number; maxIn100Ms: number };
  latenessMs: { p50: number; p99: number; max: number; min: number };
  firebaseTools?: string;
};
export type EmulatorSize = { tasks: number; rateTasks: number; rounds: number };
type Row = [subject: string, figure: string, value: string];

const measure = (script: string, size: EmulatorSize, ...more: string[]): Run => {
  const args = [join(ROOT, script), '--queues=1,4', `--tasks=${size.tasks}`, `--rate-tasks=${size.rateTasks}`, ...more];
  return JSON.parse(
    execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 600_000 }).trim().split('\n').at(-1)!,
  );
};

/** `median (min–max)` of one figure over the runs (just the value for one run). */
const spread = (runs: Run[], get: (r: Run) => number): string => {
  const xs = runs.map(get).sort((a, b) => a - b);
  const median = xs[Math.floor((xs.length - 1) / 2)]!;
  return xs.length === 1 ? String(median) : `${median} (${xs[0]}–${xs.at(-1)})`;
};

/** Runs the rounds; `results` goes to results.json as `emulator`, `rows` to the table (ours, then Firebase's, per figure). */
export function emulatorSection(
  size: EmulatorSize,
  firebase: string | undefined,
): { results: Record<string, unknown>; rows: Row[] } {
  const ours: Run[] = [];
  const fire: Run[] = [];
  for (let i = 0; i < size.rounds; i++) {
    ours.push(measure('local/tasks-emulator/bench.ts', size));
    if (firebase) fire.push(measure('bench/firebase-tasks.ts', size, `--firebase=${firebase}`));
  }
  const none = 'not measured (no --firebase=<folder>)';
  const rows: Row[] = [];
  const fb = `firebase-tools${fire[0] ? ` ${fire[0].firebaseTools}` : ''}`;
  const both = (figure: string, value: (runs: Run[]) => string, why = '') => {
    rows.push([`ours, ${ours.length} run${ours.length > 1 ? 's' : ''}`, figure, value(ours)]);
    if (fire.length) rows.push([fb, figure, value(fire) + why]);
  };
  both('start (spawn → listening)', (rs) => `${spread(rs, (r) => r.startMs)} ms`);
  for (const k of Object.keys(ours[0]!.throughputPerSecond)) {
    const creates = (rs: Run[]) => `${spread(rs, (r) => r.createsPerSecond[k]!)}/s`;
    both(
      `dispatch throughput, ${k}`,
      (rs) => `${spread(rs, (r) => r.throughputPerSecond[k]!)} tasks/s`,
      fire.length
        ? ` (created with the queue running, no pause/resume route: tasksEmulator.js:206-209; creates answered at ${creates(fire)}, ours ${creates(ours)} paused)`
        : '',
    );
  }
  both(
    'rate accuracy at 50/s',
    (rs) =>
      `${spread(rs, (r) => r.rate50.measuredPerSecond)}/s (error ${spread(rs, (r) => r.rate50.errorPercent)} %), after the burst at most ${spread(rs, (r) => r.rate50.maxIn100Ms)} in 100 ms`,
    ' (tokens refilled once a second, tasksEmulator.js:43,93)',
  );
  rows.push([
    `ours, ${ours.length} run${ours.length > 1 ? 's' : ''}`,
    'schedule lateness',
    `p50 ${spread(ours, (r) => r.latenessMs.p50)} ms, p99 ${spread(ours, (r) => r.latenessMs.p99)} ms, max ${spread(ours, (r) => r.latenessMs.max)} ms`,
  ]);
  if (fire.length) {
    rows.push([
      fb,
      'schedule lateness',
      `not supported: scheduleTime is ignored (taskQueue.js:129-142,198; firebase-tools #8254); tasks dispatched at once: p50 ${spread(fire, (r) => -r.latenessMs.p50)} ms before their scheduleTime, lateness from ${spread(fire, (r) => r.latenessMs.min)} to ${spread(fire, (r) => r.latenessMs.max)} ms`,
    ]);
  } else rows.push([fb, 'every figure above', none]);
  return { results: { rounds: size.rounds, ours, firebase: fire.length ? fire : none }, rows };
}
