/** The emulator's own control API under `/_emulator/` (no Google client calls it): dispatch log, idle wait, dispatch hold, test clock. */
import type { Clock } from './clock.ts';
import type { DispatchLog } from './dispatch-log.ts';
import { apiError, invalid } from './errors.ts';
import { formatDuration, formatTimestamp, parseDuration } from './proto-json.ts';

type Json = Record<string, unknown>;

/** What the control API acts on. */
export interface ControlDeps {
  log: DispatchLog;
  clock: Clock;
  waitForIdle(timeoutMs: number, drained: boolean): Promise<boolean>;
  dispatch: { hold(): void; release(): void; isHeld(): boolean };
}

const clockJson = (clock: Clock): Json => ({
  now: formatTimestamp(clock.now()),
  offset: formatDuration(clock.offset()),
});

/** Serves one control request; `path` is the part after `/_emulator/`. */
export async function routeControl(
  deps: ControlDeps,
  method: string,
  path: string,
  body: Json,
  query: URLSearchParams,
): Promise<Json> {
  const key = `${method} ${path}`;
  switch (key) {
    case 'GET health':
      return { ok: true };
    case 'GET dispatches': {
      const since = query.get('since');
      return {
        dispatches: deps.log.list({
          ...(query.get('queue') ? { queue: query.get('queue')! } : {}),
          ...(query.get('task') ? { task: query.get('task')! } : {}),
          ...(since ? { since: Number(since) } : {}),
        }),
      };
    }
    case 'DELETE dispatches':
      deps.log.clear();
      return {};
    case 'POST idle':
    case 'GET idle': {
      const timeout = Number(query.get('timeout') ?? body.timeoutMs ?? 30_000);
      const drained = (query.get('drained') ?? String(body.drained ?? false)) === 'true';
      if (!(await deps.waitForIdle(timeout, drained)))
        throw apiError('DEADLINE_EXCEEDED', `The emulator was not idle within ${timeout} ms.`);
      return { idle: true };
    }
    case 'GET dispatch':
      return { held: deps.dispatch.isHeld() };
    case 'POST dispatch:hold':
      deps.dispatch.hold();
      return { held: true };
    case 'POST dispatch:release':
      deps.dispatch.release();
      return { held: false };
    case 'GET clock':
      return clockJson(deps.clock);
    case 'POST clock:advance': {
      const ms = body.duration !== undefined ? parseDuration(body.duration, 'duration') : Number(body.seconds) * 1000;
      if (!(ms >= 0)) throw invalid('Give {"duration": "10s"} or {"seconds": 10}; the clock only moves forward.');
      deps.clock.advance(ms);
      return clockJson(deps.clock);
    }
    default:
      throw apiError('NOT_FOUND', `No control endpoint ${method} /_emulator/${path}.`);
  }
}
