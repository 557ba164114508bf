/** Durable state: a snapshot written atomically (temp file + rename) plus an append-only journal of changes. */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  ftruncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { QueueRecord } from './queue-config.ts';
import type { TaskRecord } from './task-model.ts';

/** Everything the emulator must not lose. Tombstone maps hold name → expiry (epoch ms). */
export interface StateData {
  queues: Record<string, QueueRecord>;
  tasks: Record<string, TaskRecord>;
  tombstones: Record<string, number>;
  queueTombstones: Record<string, number>;
}

/** One journal entry; replaying entries in order over the snapshot rebuilds the state (each is idempotent). */
export type JournalOp =
  | { op: 'putQueue'; queue: QueueRecord }
  | { op: 'delQueue'; name: string; tomb?: number }
  | { op: 'putTask'; task: TaskRecord }
  | { op: 'updTask'; name: string; fields: Partial<TaskRecord> }
  | { op: 'delTask'; name: string; tomb?: number };

/** Where state goes: in memory (no-op) or a state directory. */
export interface Persistence {
  load(): StateData;
  append(op: JournalOp): void;
  /** Writes a fresh snapshot and empties the journal. */
  compact(state: StateData): void;
  close(): void;
}

const FORMAT = 'storefront-jobs/tasks-emulator-state';
const VERSION = 1;
const empty = (): StateData => ({ queues: {}, tasks: {}, tombstones: {}, queueTombstones: {} });

/** An error about an unreadable state directory; the CLI prints its message and exits. */
export class StateError extends Error {
  override name = 'StateError';
}

/** Applies one journal entry to the state in place. */
export function applyOp(s: StateData, op: JournalOp): void {
  switch (op.op) {
    case 'putQueue':
      s.queues[op.queue.name] = op.queue;
      delete s.queueTombstones[op.queue.name];
      break;
    case 'delQueue':
      delete s.queues[op.name];
      if (op.tomb) s.queueTombstones[op.name] = op.tomb;
      break;
    case 'putTask':
      s.tasks[op.task.name] = op.task;
      delete s.tombstones[op.task.name];
      break;
    case 'updTask': {
      const t = s.tasks[op.name];
      if (t) Object.assign(t, op.fields);
      break;
    }
    case 'delTask':
      delete s.tasks[op.name];
      if (op.tomb) s.tombstones[op.name] = op.tomb;
      break;
  }
}

/** In-memory persistence: nothing survives the process. */
export const memoryPersistence = (): Persistence => ({ load: empty, append() {}, compact() {}, close() {} });

/** Atomically replaces `file` with `data` (write temp, fsync, rename). */
export function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function readSnapshot(file: string): StateData {
  if (!existsSync(file)) return empty();
  let doc: { format?: unknown; version?: unknown; state?: StateData };
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StateError(
      `State file ${file} is corrupt (not JSON): ${(err as Error).message}. Move it away or choose another --state directory.`,
    );
  }
  if (doc?.format !== FORMAT)
    throw new StateError(
      `State file ${file} is not a tasks emulator state file (format ${JSON.stringify(doc?.format)}). Choose another --state directory.`,
    );
  if (doc.version !== VERSION)
    throw new StateError(
      `State file ${file} has version ${String(doc.version)}; this emulator reads version ${VERSION}.`,
    );
  return { ...empty(), ...doc.state };
}

function replayJournal(file: string, state: StateData): void {
  if (!existsSync(file)) return;
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line) return;
    let op: JournalOp;
    try {
      op = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) return; // a write cut short by a crash: the call never returned
      throw new StateError(
        `Journal ${file} is corrupt at line ${i + 1}. Move the state directory away to start afresh.`,
      );
    }
    applyOp(state, op);
  });
}

/** Persistence in `dir`: `state.json` (snapshot) and `journal.jsonl`, each journal entry written before the API call returns. */
export function filePersistence(dir: string): Persistence {
  mkdirSync(dir, { recursive: true });
  const snapshotFile = join(dir, 'state.json');
  const journalFile = join(dir, 'journal.jsonl');
  let fd: number | undefined;
  const open = (): number => (fd ??= openSync(journalFile, 'a', 0o600));
  return {
    load() {
      const state = readSnapshot(snapshotFile);
      replayJournal(journalFile, state);
      return state;
    },
    append(op) {
      writeSync(open(), `${JSON.stringify(op)}\n`);
    },
    compact(state) {
      writeAtomic(snapshotFile, JSON.stringify({ format: FORMAT, version: VERSION, state }));
      ftruncateSync(open(), 0);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** Writes `value` as JSON to `dir/name` atomically, creating `dir`. */
export function writeJsonAtomic(dir: string, name: string, value: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, name), JSON.stringify(value, null, 2));
}

/** Reads `dir/name` as JSON, or undefined if it does not exist. */
export function readJson(dir: string, name: string): unknown {
  const file = join(dir, name);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StateError(`${file} is corrupt: ${(err as Error).message}`);
  }
}
