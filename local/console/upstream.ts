/**
 * The console's clients of the same APIs the project uses: the Cloud Tasks emulator's REST v2 and control API, and
 * the mail sink's outbox API. Plain fetch; an upstream error keeps its status and message.
 */

type Json = Record<string, any>;

/** An upstream answered with an error (or did not answer): `status` is what the console answers with. */
export class UpstreamError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function call(url: string, init: RequestInit = {}): Promise<Json> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new UpstreamError(502, `${new URL(url).host} did not answer: ${(err as Error).message}`);
  }
  const text = await res.text();
  let body: Json = {};
  try {
    body = text ? (JSON.parse(text) as Json) : {};
  } catch {
    body = { text };
  }
  if (!res.ok) {
    const message = body.error?.message ?? body.errors?.[0]?.message ?? body.error ?? text ?? res.statusText;
    throw new UpstreamError(res.status >= 500 ? 502 : res.status, String(message));
  }
  return body;
}

/** The Cloud Tasks emulator, for one project and location. */
export function tasksApi(baseUrl: string, project: string, location: string) {
  const parent = `projects/${project}/locations/${location}`;
  const v2 = (path: string, init?: RequestInit) => call(`${baseUrl}/v2/${path}`, init);
  const post = (path: string, body: Json = {}) =>
    v2(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const queuePath = (queue: string) => `${parent}/queues/${encodeURIComponent(queue)}`;
  const taskPath = (queue: string, task: string) => `${queuePath(queue)}/tasks/${encodeURIComponent(task)}`;
  return {
    queuePath,
    listQueues: async (): Promise<Json[]> => (await v2(`${parent}/queues?pageSize=1000`)).queues ?? [],
    getQueue: (queue: string) => v2(queuePath(queue)),
    queueAction: (queue: string, action: 'pause' | 'resume' | 'purge') => post(`${queuePath(queue)}:${action}`),
    listTasks: (queue: string, o: { pageSize: number; pageToken?: string | undefined; full?: boolean }) =>
      v2(
        `${queuePath(queue)}/tasks?pageSize=${o.pageSize}${o.pageToken ? `&pageToken=${encodeURIComponent(o.pageToken)}` : ''}${o.full ? '&responseView=FULL' : ''}`,
      ),
    getTask: (queue: string, task: string) => v2(`${taskPath(queue, task)}?responseView=FULL`),
    runTask: (queue: string, task: string) => post(`${taskPath(queue, task)}:run`),
    deleteTask: (queue: string, task: string) => v2(taskPath(queue, task), { method: 'DELETE' }),
    dispatches: async (o: { since?: number; queue?: string; task?: string } = {}): Promise<Json[]> => {
      const q = new URLSearchParams();
      if (o.since !== undefined) q.set('since', String(o.since));
      if (o.queue) q.set('queue', o.queue);
      if (o.task) q.set('task', o.task);
      return (await call(`${baseUrl}/_emulator/dispatches?${q}`)).dispatches ?? [];
    },
    clock: () => call(`${baseUrl}/_emulator/clock`),
  };
}
export type TasksApi = ReturnType<typeof tasksApi>;

/** The mail sink's outbox. */
export function mailApi(baseUrl: string) {
  const json = { headers: { accept: 'application/json' } };
  return {
    list: async (): Promise<Json[]> => (await call(`${baseUrl}/outbox`, json)).messages ?? [],
    get: (id: string) => call(`${baseUrl}/outbox/${encodeURIComponent(id)}`, json),
    /** The HTML as the recipient's client gets it (for a template message, the sink's page of its data). */
    html: async (id: string): Promise<string> => {
      const res = await fetch(`${baseUrl}/outbox/${encodeURIComponent(id)}/html`, {
        signal: AbortSignal.timeout(10_000),
      }).catch((err: Error) => {
        throw new UpstreamError(502, `the mail sink did not answer: ${err.message}`);
      });
      if (!res.ok)
        throw new UpstreamError(
          res.status === 404 ? 404 : 502,
          res.status === 404 ? `No email ${id} in the outbox` : `the mail sink answered ${res.status}`,
        );
      return res.text();
    },
  };
}
export type MailApi = ReturnType<typeof mailApi>;
