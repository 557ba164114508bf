/**
 * What the dev runner is made of. A part (the Firestore emulator, the Cloud Tasks emulator, the mail sink, the
 * bundles, one function, the dispatch feed, the watcher) knows how to start and be ready, how to describe itself in
 * stack.json and how to stop. The runner starts each part once the parts it names in `after` are ready, and stops
 * them in reverse order. Adding a function or a console to the stack is adding a part (see parts.ts).
 */
import type { FunctionSpec, QueueEntry, StackSettings } from './functions.ts';
import type { LogStream } from './log.ts';
import type { DevOptions } from './options.ts';
import type { Part as Proc } from './procs.ts';
import type { StackInfo } from '../stack-file.ts';

export interface StackPart {
  /** Unique; other parts name it in `after`. */
  name: string;
  /** Parts that must be ready before this one starts. */
  after?: string[];
  /** Starts it; resolves once it is ready (answers on its port, or has done its job). */
  start(): Promise<void>;
  /** Writes its entries into the stack description (called once all parts are ready, and after a restart). */
  describe?(info: StackInfo): void;
  /** Stops it and whatever it started; never throws. */
  stop(): Promise<void>;
}

/** What every part may use: the options, the shared settings, and the runner's process bookkeeping. */
export interface DevContext {
  root: string;
  host: string;
  opts: DevOptions;
  /** Absolute path of the state folder, and how to show it (relative to the repository when inside it). */
  stateDir: string;
  relState: string;
  log: LogStream;
  settings: StackSettings;
  queues: QueueEntry[];
  /** Every function of the stack, public ones first. */
  specs: FunctionSpec[];
  /** Registers a started process: it counts in `processGroups` and is killed if the runner itself dies. */
  track(proc: Proc): Proc;
  /** Called when a process that cannot be restarted (the Firestore emulator) exits on its own: the runner stops everything. */
  died(proc: Proc, how: string): void;
  /**
   * Called when a restartable part's process exits on its own: once the stack is ready, the runner starts it again
   * with `restart` (resolving with the new pid once it is ready) after a backoff, or stops everything when it keeps
   * crashing (restarts.ts); before that, it stops everything.
   */
  crashed(name: string, how: string, restart: () => Promise<number>): void;
  /** Whether every part was ready once (stack.json written). */
  ready(): boolean;
  /** Whether the runner is stopping (a part then starts nothing new). */
  stopping(): boolean;
  /** Rewrites stack.json from every part's description (after a part changed, e.g. a restarted function). */
  redescribe(): void;
}
