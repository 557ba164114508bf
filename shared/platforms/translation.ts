/**
 * What every platform adapter's translation shares: the result type, reading the platform's payload with field
 * paths in errors, exact money with the problem recorded against its field, and the final check that the
 * translated event passes our own `StorefrontEvent` schema (sums included). Every failure is a 400 naming fields.
 */
import type { z } from 'zod';
import { RequestError, describeIssues, fieldIssues, type FieldIssue } from '../errors.ts';
import { StorefrontEvent } from '../schemas/events.ts';
import { AmountError, toMinorUnits } from './minor-units.ts';

/** A delivery becomes one of our events, or is acknowledged and ignored for the stated reason. */
export type Translation = { event: StorefrontEvent } | { ignored: string };

/** The platform's name as it appears in messages. */
export type PlatformName = 'Shopify' | 'WooCommerce';

/** Parses a platform payload with `schema`, answering 400 with the platform's own field paths when it does not fit. */
export function readPayload<S extends z.ZodType>(
  platform: PlatformName,
  what: string,
  schema: S,
  body: unknown,
): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const details = fieldIssues(parsed.error.issues);
  throw new RequestError(400, 'invalid-payload', `Invalid ${platform} ${what}: ${describeIssues(details)}`, {
    details,
  });
}

/** Collects field problems while translating, so one 400 names all of them. */
export function createIssues(platform: PlatformName) {
  const list: FieldIssue[] = [];
  return {
    add(path: string, message: string): void {
      list.push({ path, message });
    },
    /** Exact minor units of a platform amount; a bad amount is recorded against `path` and counts as 0. */
    money(value: unknown, currency: string, path: string): number {
      try {
        return toMinorUnits(value, currency);
      } catch (err) {
        if (!(err instanceof AmountError)) throw err;
        list.push({ path, message: err.message });
        return 0;
      }
    },
    /** Throws the 400 when anything was recorded. */
    check(what: string): void {
      if (list.length)
        throw new RequestError(
          400,
          'invalid-payload',
          `${platform} ${what} cannot be translated: ${describeIssues(list)}`,
          { details: [...list] },
        );
    },
  };
}
export type Issues = ReturnType<typeof createIssues>;

/** Validates a translated event against our own contract; a failure is the platform data's, so a 400. */
export function checkedEvent(platform: PlatformName, event: unknown): { event: StorefrontEvent } {
  const parsed = StorefrontEvent.safeParse(event);
  if (parsed.success) return { event: parsed.data };
  const details = fieldIssues(parsed.error.issues);
  throw new RequestError(
    400,
    'invalid-payload',
    `${platform} data does not make a valid order event: ${describeIssues(details)}`,
    { details },
  );
}

/** Joins non-empty name parts ("John" + "Smith"), or undefined. */
export function fullName(...parts: (string | null | undefined)[]): string | undefined {
  const name = parts
    .map((p) => p?.trim())
    .filter(Boolean)
    .join(' ');
  return name || undefined;
}

/** A locale the platform sent, normalised (`en_US` → `en-US`), or undefined when it is not a BCP 47 locale. */
export function localeOf(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return Intl.getCanonicalLocales(value.replace(/_/g, '-'))[0];
  } catch {
    return undefined;
  }
}

/** `{ shippingAddress }` when there is one, else nothing (no `undefined` field is stored). */
export const withAddress = <A>(shippingAddress: A | undefined): { shippingAddress?: A } =>
  shippingAddress ? { shippingAddress } : {};
