/** Programmatic entry: start a Cloud Tasks emulator in this process (for tests and the dev runner). */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequestGuard } from '../request-guard.ts';
import type { ApiContext } from './api-context.ts';
import { createClock } from './clock.ts';
import { createDispatchLog } from './dispatch-log.ts';
import type { DispatchFilter, DispatchRecord } from './dispatch-log.ts';
import { createHttpSender } from './http-attempt.ts';
import { createOidcIssuer } from './oidc.ts';
import { filePersistence, memoryPersistence } from './persist.ts';
import { applyQueues, readQueuesFile } from './queues-file.ts';
import type { QueueFileEntry } from './queues-file.ts';
import { createScheduler } from './scheduler.ts';
import { createServer } from './server.ts';
import { lockStateDir } from './state-lock.ts';
import { createStore } from './store.ts';

export type { DispatchFilter, DispatchRecord } from './dispatch-log.ts';
export type { QueueFileEntry } from './queues-file.ts';

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 8123 */
  port?: number;
  /** Hosts besides loopback and `host` that may reach it (`--allowed-hosts`; see local/request-guard.ts). */
  allowedHosts?: readonly string[];
  /** Receives the structured entry of each refused request. @default a JSON line on stdout */
  log?: (entry: Record<string, unknown>) => void;
  /** Directory for queues, tasks, tombstones and the signing key; unset = in memory only. */
  stateDir?: string;
  /** Queues to create or update at start: a `queues.json` path or its entries. */
  queues?: string | QueueFileEntry[];
  /** Project and location for `queues` and ListLocations. @default 'storefront-local', 'us-central1' */
  project?: string;
  location?: string;
  /** The `iss` of OIDC tokens. @default the emulator URL */
  issuer?: string;
  /** How long finished or deleted task names stay blocked. @default 3_600_000 (1 h) */
  tombstoneTtlMs?: number;
  /** How long a deleted queue's name stays blocked (Cloud Tasks: 7 days). @default 0 */
  queueTombstoneTtlMs?: number;
  /**
   * Start with dispatching held (tasks come due but are not sent) until {@link Emulator.releaseDispatch} or
   * `POST /_emulator/dispatch:release`: a runner starting its targets after the emulator burns no attempt. @default false
   */
  holdDispatch?: boolean;
  /** `manual`: the clock stands still; only `clock.advance` (or `POST /_emulator/clock:advance`) moves it. @default 'real' */
  clock?: 'real' | 'manual';
  /** Attempts kept in the dispatch log. @default 10_000 */
  dispatchLogLimit?: number;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:8123`; the REST API is under `${url}/v2/`. */
  url: string;
  host: string;
  port: number;
  /** OIDC issuer (`iss`), JWKS URL and discovery document URL. */
  issuer: string;
  jwksUrl: string;
  discoveryUrl: string;
  project: string;
  location: string;
  /** `projects/<project>/locations/<location>/queues/<id>` with the default project and location. */
  queuePath(queueId: string): string;
  /** Attempts made so far (oldest first), optionally filtered by queue, task or seq. */
  dispatches(filter?: DispatchFilter): DispatchRecord[];
  clearDispatches(): void;
  /** Ends `holdDispatch`: due tasks are dispatched from now on. */
  releaseDispatch(): void;
  /**
   * Resolves once nothing is in flight and no due task waits in a running queue (with `drained`, once running queues
   * hold no task at all, retries and future tasks included); rejects after `timeout` ms. @default timeout 30_000
   */
  waitForIdle(opts?: { timeout?: number; drained?: boolean }): Promise<void>;
  /** The emulator clock: advancing it makes scheduled tasks, backoffs, deadlines and tombstones come due now. */
  clock: { now(): Date; advance(ms: number): void };
  /** Stops the server, timers and in-flight dispatches; state is compacted to disk. */
  close(): Promise<void>;
}

/** Starts an emulator and resolves once it listens. */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const project = opts.project ?? 'storefront-local';
  const location = opts.location ?? 'us-central1';
  const unlock = opts.stateDir ? await lockStateDir(prepareDir(opts.stateDir)) : () => {};
  let url = '';
  try {
    const store = createStore(opts.stateDir ? filePersistence(opts.stateDir) : memoryPersistence());
    const clock = createClock({ manual: opts.clock === 'manual' });
    store.compact(clock.now());
    const log = createDispatchLog(opts.dispatchLogLimit ?? 10_000);
    const issuer = (): string => opts.issuer ?? url;
    const oidc = await createOidcIssuer(issuer, opts.stateDir);
    const sender = createHttpSender(clock);
    const tombstoneMs = opts.tombstoneTtlMs ?? 3_600_000;
    const scheduler = createScheduler({ store, clock, sender, log, oidc, tombstoneMs });
    if (opts.holdDispatch) scheduler.hold();
    const ctx: ApiContext = {
      store,
      scheduler,
      clock,
      project,
      location,
      tombstoneMs,
      queueTombstoneMs: opts.queueTombstoneTtlMs ?? 0,
    };
    const waitForIdle = async (timeoutMs: number, drained = false): Promise<boolean> => {
      const until = Date.now() + timeoutMs;
      for (let streak = 0; streak < 2; streak = scheduler.isIdle(drained) ? streak + 1 : 0) {
        if (Date.now() > until) return false;
        await new Promise((r) => setTimeout(r, 5));
      }
      return true;
    };
    const guard = createRequestGuard({ boundHost: host, allowedHosts: opts.allowedHosts, log: opts.log });
    const server = createServer(ctx, { log, clock, waitForIdle, dispatch: scheduler }, oidc, issuer, guard);
    // Let clients close idle keep-alive connections first: a server-side close races with their next request.
    server.keepAliveTimeout = 120_000;
    server.headersTimeout = 125_000;
    try {
      if (opts.queues) applyQueues(ctx, typeof opts.queues === 'string' ? readQueuesFile(opts.queues) : opts.queues);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port ?? 8123, host, () => resolve());
      });
    } catch (err) {
      await scheduler.close();
      clock.stop();
      store.close();
      throw err;
    }
    const port = (server.address() as AddressInfo).port;
    url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    scheduler.start();
    return {
      url,
      host,
      port,
      project,
      location,
      issuer: issuer(),
      jwksUrl: `${url}/oauth2/v3/certs`,
      discoveryUrl: `${url}/.well-known/openid-configuration`,
      queuePath: (id) => `projects/${project}/locations/${location}/queues/${id}`,
      dispatches: (filter) => log.list(filter),
      clearDispatches: () => log.clear(),
      releaseDispatch: () => scheduler.release(),
      async waitForIdle(o = {}) {
        if (!(await waitForIdle(o.timeout ?? 30_000, o.drained)))
          throw new Error(`The tasks emulator was not idle within ${o.timeout ?? 30_000} ms.`);
      },
      clock: { now: () => new Date(clock.now()), advance: (ms) => clock.advance(ms) },
      async close() {
        server.close();
        server.closeAllConnections();
        await scheduler.close();
        clock.stop();
        store.compact(clock.now());
        store.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}

function prepareDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
