/** Reading translation results in tests: the event, the created order, or the 4xx it threw. */
import { expect } from 'vitest';
import { RequestError } from '../../shared/errors.ts';
import type { Translation } from '../../shared/platforms/translation.ts';
import type { Order, StorefrontEvent } from '../../shared/schemas/events.ts';

export function eventOf(t: Translation): StorefrontEvent {
  if (!('event' in t)) throw new Error(`ignored: ${t.ignored}`);
  return t.event;
}

export function orderOf(t: Translation): Order {
  const e = eventOf(t);
  if (e.type !== 'order.created') throw new Error(`expected order.created, got ${e.type}`);
  return e.data.order;
}

/** The `RequestError` (4xx) that `fn` throws; fails the test when it throws nothing or something else. */
export function rejectionOf(fn: () => unknown): RequestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RequestError);
    return err as RequestError;
  }
  throw new Error('expected a rejection');
}
