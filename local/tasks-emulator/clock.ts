/** The emulator's clock: real time plus an offset a test can advance, with timers that follow it. */
import { createHeap } from './heap.ts';

/** A clock whose timers fire when real time or {@link Clock.advance} reaches them. */
export interface Clock {
  /** Epoch milliseconds, including the advanced offset. */
  now(): number;
  /** Runs `fn` once `now() >= at`; returns a function that cancels it. */
  setTimer(at: number, fn: () => void): () => void;
  /** Moves the clock forward by `ms` and fires every timer that became due. */
  advance(ms: number): void;
  /** How far the clock has been advanced, in ms. */
  offset(): number;
  /** Cancels every timer. */
  stop(): void;
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Creates a clock that starts at real time. A `manual` clock then stands still: only {@link Clock.advance} moves
 * it and fires its timers (for tests that must not depend on how fast the machine is).
 */
export function createClock({ manual = false }: { manual?: boolean } = {}): Clock {
  const start = Date.now();
  let offset = 0;
  let seq = 0;
  let stopped = false;
  let cancelled = 0;
  let armed: { at: number; handle: NodeJS.Timeout } | undefined;
  const timers = createHeap<Timer>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  const now = (): number => (manual ? start : Date.now()) + offset;

  const fireDue = (): void => {
    armed = undefined;
    for (let t = timers.peek(); t && (t.cancelled || t.at <= now()); t = timers.peek()) {
      timers.pop();
      if (!t.cancelled && !stopped) t.fn();
    }
    arm();
  };
  const arm = (): void => {
    while (timers.peek()?.cancelled) timers.pop();
    const next = timers.peek();
    if (!next || stopped || manual) return;
    if (armed && armed.at <= next.at) return;
    if (armed) clearTimeout(armed.handle);
    // setTimeout overflows past 2^31-1 ms (fires at once): wake up early instead and re-arm.
    const delay = Math.min(2 ** 31 - 1, Math.max(0, Math.ceil(next.at - now())));
    armed = { at: next.at, handle: setTimeout(fireDue, delay) };
  };

  return {
    now,
    setTimer(at, fn) {
      const t: Timer = { at, seq: seq++, fn, cancelled: false };
      timers.push(t);
      arm();
      return () => {
        if (t.cancelled) return;
        t.cancelled = true;
        // Cancelled timers (e.g. deadlines of answered attempts) would otherwise pile up until they come due.
        if (++cancelled > 1024 && cancelled > timers.size / 2) {
          timers.retain((x) => !x.cancelled);
          cancelled = 0;
        }
      };
    },
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError('The clock only moves forward.');
      offset += ms;
      if (armed) clearTimeout(armed.handle);
      fireDue();
    },
    offset: () => offset,
    stop() {
      stopped = true;
      if (armed) clearTimeout(armed.handle);
      armed = undefined;
    },
  };
}
