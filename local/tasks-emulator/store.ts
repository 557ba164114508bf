/** The emulator's state in memory, with every change journaled through the chosen persistence before it is visible. */
import { applyOp } from './persist.ts';
import type { JournalOp, Persistence, StateData } from './persist.ts';
import type { QueueRecord } from './queue-config.ts';
import type { TaskRecord } from './task-model.ts';

/** Queues, tasks and tombstones, with a per-queue task index. */
export interface Store {
  queues(): QueueRecord[];
  getQueue(name: string): QueueRecord | undefined;
  putQueue(q: QueueRecord): void;
  deleteQueue(name: string, tombUntil?: number): void;
  /** Whether a deleted queue's name is still blocked at `now`. */
  queueTombstoned(name: string, now: number): boolean;
  getTask(name: string): TaskRecord | undefined;
  tasksOf(queue: string): TaskRecord[];
  allTasks(): TaskRecord[];
  putTask(t: TaskRecord): void;
  updateTask(name: string, fields: Partial<TaskRecord>): void;
  deleteTask(name: string, tombUntil?: number): void;
  /** Whether a finished or deleted task's name is still blocked at `now`. */
  tombstoned(name: string, now: number): boolean;
  /** Drops expired tombstones and rewrites the snapshot. */
  compact(now: number): void;
  close(): void;
}

const COMPACT_AFTER_OPS = 20_000;

/** Loads the state from `persistence` and returns a store that journals every change to it. */
export function createStore(persistence: Persistence): Store {
  const s: StateData = persistence.load();
  const byQueue = new Map<string, Set<string>>();
  const index = (t: TaskRecord): void => {
    let set = byQueue.get(t.queue);
    if (!set) byQueue.set(t.queue, (set = new Set()));
    set.add(t.name);
  };
  Object.values(s.tasks).forEach(index);
  let ops = 0;

  const write = (op: JournalOp): void => {
    persistence.append(op);
    applyOp(s, op);
    if (++ops >= COMPACT_AFTER_OPS) store.compact(Date.now());
  };
  const live = (map: Record<string, number>, name: string, now: number): boolean => {
    const until = map[name];
    if (until === undefined) return false;
    if (until > now) return true;
    delete map[name];
    return false;
  };

  const store: Store = {
    queues: () => Object.values(s.queues),
    getQueue: (name) => s.queues[name],
    putQueue: (queue) => write({ op: 'putQueue', queue }),
    deleteQueue(name, tomb) {
      for (const t of store.tasksOf(name)) store.deleteTask(t.name);
      byQueue.delete(name);
      write({ op: 'delQueue', name, ...(tomb ? { tomb } : {}) });
    },
    queueTombstoned: (name, now) => live(s.queueTombstones, name, now),
    getTask: (name) => s.tasks[name],
    tasksOf: (queue) => [...(byQueue.get(queue) ?? [])].map((n) => s.tasks[n]!).filter(Boolean),
    allTasks: () => Object.values(s.tasks),
    putTask(task) {
      write({ op: 'putTask', task });
      index(task);
    },
    updateTask: (name, fields) => write({ op: 'updTask', name, fields }),
    deleteTask(name, tomb) {
      const t = s.tasks[name];
      if (t) byQueue.get(t.queue)?.delete(name);
      write({ op: 'delTask', name, ...(tomb ? { tomb } : {}) });
    },
    tombstoned: (name, now) => live(s.tombstones, name, now),
    compact(now) {
      for (const [k, v] of Object.entries(s.tombstones)) if (v <= now) delete s.tombstones[k];
      for (const [k, v] of Object.entries(s.queueTombstones)) if (v <= now) delete s.queueTombstones[k];
      persistence.compact(s);
      ops = 0;
    },
    close: () => persistence.close(),
  };
  return store;
}
