/** What the API handlers share. */
import type { Clock } from './clock.ts';
import type { Scheduler } from './scheduler.ts';
import type { Store } from './store.ts';

/** State, scheduler, clock and the emulator's settings, as seen by the RPC handlers. */
export interface ApiContext {
  store: Store;
  scheduler: Scheduler;
  clock: Clock;
  /** Default project and location (listed by ListLocations, used for `--queues`). */
  project: string;
  location: string;
  /** How long a finished or deleted task's name stays blocked. */
  tombstoneMs: number;
  /** How long a deleted queue's name stays blocked (0 = not at all). */
  queueTombstoneMs: number;
}
