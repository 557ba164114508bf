/** Cloud Tasks resource names: validation, parsing and generated task ids. */
import { randomInt } from 'node:crypto';
import { invalid, MESSAGES } from './errors.ts';

const QUEUE = /^projects\/([A-Za-z0-9\-:.]+)\/locations\/([A-Za-z0-9-]+)\/queues\/([A-Za-z0-9-]{1,100})$/;
const TASK_ID = /^[A-Za-z0-9_-]{1,500}$/;
const LOCATION = /^projects\/([A-Za-z0-9\-:.]+)\/locations\/([A-Za-z0-9-]+)$/;

/** The parts of a queue name. */
export interface QueueName {
  project: string;
  location: string;
  queueId: string;
}

/** Parses `projects/P/locations/L/queues/Q`, or throws the real INVALID_ARGUMENT message. */
export function parseQueueName(name: string): QueueName {
  const m = QUEUE.exec(name);
  if (!m) throw invalid(MESSAGES.queueName);
  return { project: m[1]!, location: m[2]!, queueId: m[3]! };
}

/** Parses `projects/P/locations/L`, or throws INVALID_ARGUMENT. */
export function parseLocationName(name: string): { project: string; location: string } {
  const m = LOCATION.exec(name);
  if (!m) throw invalid(`Invalid resource field value in the request: "${name}" is not a location name.`);
  return { project: m[1]!, location: m[2]! };
}

/** Splits a task name into its queue name and task id; validates both. */
export function parseTaskName(name: string): { queue: string; taskId: string } {
  const i = name.lastIndexOf('/tasks/');
  if (i < 0)
    throw invalid(
      `Task name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/queues/<QUEUE_ID>/tasks/<TASK_ID>".`,
    );
  const queue = name.slice(0, i);
  parseQueueName(queue);
  const taskId = name.slice(i + '/tasks/'.length);
  if (!TASK_ID.test(taskId)) {
    throw invalid(
      `Task ID "${taskId}" can contain only letters ([A-Za-z]), numbers ([0-9]), hyphens (-), or underscores (_). ` +
        'Task ID must between 1 and 500 characters.',
    );
  }
  return { queue, taskId };
}

/** The last path segment of a resource name (the queue or task short id). */
export const shortId = (name: string): string => name.slice(name.lastIndexOf('/') + 1);

/** A random decimal task id, like the long numeric ids Cloud Tasks generates. */
export function generateTaskId(): string {
  let id = String(randomInt(1, 10));
  while (id.length < 20) id += String(randomInt(0, 1e6)).padStart(6, '0');
  return id.slice(0, 20);
}
