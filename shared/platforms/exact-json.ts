/**
 * Platform payloads carry 64-bit ids as JSON numbers (Shopify's `820982911946154508`), which `JSON.parse` rounds
 * (to `820982911946154500`). This parser keeps every integer that is not a safe JavaScript number as its source
 * text, so ids survive exactly.
 */
import { RequestError } from '../errors.ts';

/** Parses the raw body as JSON, keeping unsafe integers as strings. Throws a 400 `RequestError` on bad JSON. */
export function parseExactJson(raw: Buffer | string): unknown {
  try {
    return JSON.parse(raw.toString(), (_key, value: unknown, context?: { source?: string }) =>
      typeof value === 'number' && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)
        ? context.source
        : value,
    );
  } catch (err) {
    throw new RequestError(400, 'invalid-payload', `Body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
