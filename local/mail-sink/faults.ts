/**
 * Scripted and random failures of the sink, so tests can make SendGrid rate-limit, fail or hang on cue.
 */
import { mulberry32 } from '../../shared/seeded-random.ts';
import { sendGridErrors, type SendGridError } from './validate.ts';

/**
 * What the sink does with one `POST /v3/mail/send`. With a `status`, it answers that status (after `delayMs`)
 * without looking at the request; without one, it waits `delayMs` and then handles the request normally (so a
 * client that gave up meanwhile still gets its message accepted, as with a slow SendGrid).
 */
export interface FaultStep {
  status?: number;
  headers?: Record<string, string>;
  /** Response body; for 4xx/5xx a SendGrid-style `{errors:[...]}` is made up when absent. */
  body?: unknown;
  delayMs?: number;
}

/** Random failures: each request fails with probability `rate`, reproducibly for the same `seed`. */
export interface RandomFaults {
  /** Probability in [0, 1]. */
  rate: number;
  /** @default 1 */
  seed?: number;
  /** What a failure is: a status, or `'delay'` (wait `delayMs`, then accept). @default [503, 429, 'delay'] */
  kinds?: Array<number | 'delay'>;
  /** How long a `'delay'` failure waits. @default 15000 */
  delayMs?: number;
}

/** Parses a script sent over HTTP (`[...]` or `{steps: [...]}`); throws a message naming the bad entry. */
export function parseSteps(input: unknown): FaultStep[] {
  const list = Array.isArray(input) ? input : (input as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(list)) throw new Error('expected an array of steps or {"steps": [...]}');
  return list.map((s: unknown, i) => {
    const step = s as FaultStep;
    const ok =
      typeof s === 'object' &&
      s !== null &&
      (step.status === undefined || (Number.isInteger(step.status) && step.status >= 200 && step.status <= 599)) &&
      (step.delayMs === undefined || (typeof step.delayMs === 'number' && step.delayMs >= 0)) &&
      (step.headers === undefined || (typeof step.headers === 'object' && step.headers !== null));
    if (!ok) throw new Error(`steps[${i}]: needs status 200-599 and/or delayMs >= 0, headers as an object`);
    return step;
  });
}

/** Parses random-fault settings sent over HTTP; `null` or `{}` turns them off. */
export function parseRandomFaults(input: unknown): RandomFaults | undefined {
  if (input === null || (typeof input === 'object' && Object.keys(input as object).length === 0)) return undefined;
  const r = input as RandomFaults;
  if (typeof r !== 'object' || typeof r.rate !== 'number' || r.rate < 0 || r.rate > 1) {
    throw new Error('rate must be a number in [0, 1]');
  }
  if (
    r.kinds !== undefined &&
    (!Array.isArray(r.kinds) || !r.kinds.every((k) => k === 'delay' || Number.isInteger(k)))
  ) {
    throw new Error("kinds must be an array of statuses or 'delay'");
  }
  return r;
}

/** A queue of scripted steps plus optional seeded random faults; `next()` says what to do with a request. */
export function createFaults(): {
  script(steps: FaultStep[]): void;
  random(settings: RandomFaults | undefined): void;
  next(): FaultStep | undefined;
  reset(): void;
} {
  let queue: FaultStep[] = [];
  let settings: RandomFaults | undefined;
  let rand = mulberry32(1);
  return {
    script: (steps) => void queue.push(...steps),
    random(s) {
      settings = s;
      rand = mulberry32(s?.seed ?? 1);
    },
    next() {
      const step = queue.shift();
      if (step || !settings || rand() >= settings.rate) return step;
      const kinds = settings.kinds?.length ? settings.kinds : [503, 429, 'delay' as const];
      const kind = kinds[Math.floor(rand() * kinds.length)]!;
      if (kind === 'delay') return { delayMs: settings.delayMs ?? 15_000 };
      return kind === 429
        ? { status: 429, headers: { 'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000) + 1) } }
        : { status: kind };
    },
    reset() {
      queue = [];
      settings = undefined;
    },
  };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'The provided authorization grant is invalid, expired, or revoked',
  403: 'access forbidden',
  413: 'request entity too large',
  429: 'too many requests',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

/** The body SendGrid would send with `status` when the script gives none. */
export function defaultErrorBody(status: number): { errors: SendGridError[] } {
  return sendGridErrors(STATUS_TEXT[status] ?? `error ${status}`);
}
