// Every refine of our schemas is total: zod 4 runs a refine even after an earlier check of the same schema failed,
// so a refine that throws on a value zod already flagged turns a bad input into a 500. One
// regression case per refine, then a property over every schema with arbitrary values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BaseEnv, FirestoreEnv, OidcEnv, TasksEnv } from '../../shared/config.ts';
import { MailEnv } from '../../shared/mail.ts';
import { QueueFile } from '../../shared/queues.ts';
import { EventEnvelope, StorefrontEvent } from '../../shared/schemas/events.ts';
import { Country, Currency, Locale } from '../../shared/schemas/money.ts';
import { NotificationPayload } from '../../shared/schemas/notifications.ts';
import { cancelled, created, shipped } from '../support/events.ts';
import { FUZZ_RUNS, mutationOf } from '../support/fuzz.ts';

const issuesOf = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('refines never throw', () => {
  it.each([
    ['Germany', 'must be an ISO 3166-1 alpha-2 country code of two capital letters'],
    ['de', 'must be an ISO 3166-1 alpha-2 country code of two capital letters'],
    ['', 'must be an ISO 3166-1 alpha-2 country code of two capital letters'],
    ['𝔻𝔼', 'must be an ISO 3166-1 alpha-2 country code of two capital letters'],
    ['QQ', 'is a user-assigned code, not an ISO 3166-1 alpha-2 country code'],
    ['ZZ', 'is a user-assigned code, not an ISO 3166-1 alpha-2 country code'],
    ['AA', 'is a user-assigned code, not an ISO 3166-1 alpha-2 country code'],
    ['QM', 'is a user-assigned code, not an ISO 3166-1 alpha-2 country code'],
    ['XA', 'is a user-assigned code, not an ISO 3166-1 alpha-2 country code'],
    ['XZ', 'is a user-assigned code, not an ISO 3166-1 alpha-2 country code'],
    ['JJ', 'is not an ISO 3166-1 alpha-2 country code'],
  ])('Country %j: one issue, %s', (value, message) => {
    expect(issuesOf(Country.safeParse(value))).toEqual([`: ${message}`]);
  });

  it.each(['DE', 'QA', 'AD', 'YE', 'ZW'])('Country accepts %s (next to the user-assigned ranges)', (code) =>
    expect(Country.safeParse(code).success).toBe(true),
  );

  it.each([
    ['EURO', 'must be an ISO 4217 currency code of three capital letters'],
    ['XXQ', 'is not an ISO 4217 currency code'],
  ])('Currency %j: one issue, %s', (value, message) => {
    expect(issuesOf(Currency.safeParse(value))).toEqual([`: ${message}`]);
  });

  it.each(['', 'Germany!', 'x'.repeat(10_000), 'en-US-u-ca-', '\u0000'])(
    'Locale %j is refused without throwing',
    (value) => {
      expect(Locale.safeParse(value).success).toBe(false);
    },
  );

  it.each(['.', '..', '__x__', 'a b', ''])('an event id %j is refused without throwing', (id) => {
    const r = StorefrontEvent.safeParse({ ...created('o-1'), id });
    expect(r.success).toBe(false);
    expect(issuesOf(r).every((i) => i.startsWith('id: '))).toBe(true);
  });

  it('the order totals refine runs only on well-typed orders', () => {
    const e = created('o-2') as { data: { order: Record<string, unknown> } };
    for (const lines of ['x', null, [{ sku: 1 }], [null]]) {
      const r = StorefrontEvent.safeParse({ ...e, data: { order: { ...e.data.order, lines } } });
      expect(r.success).toBe(false);
      expect(issuesOf(r).every((i) => i.startsWith('data.order.lines'))).toBe(true);
    }
  });

  it('the webhook answers a country "Germany" with one issue on that field', () => {
    const e = created('o-3', {
      shippingAddress: { name: 'J', line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'Germany' },
    });
    expect(issuesOf(StorefrontEvent.safeParse(e))).toEqual([
      'data.order.shippingAddress.country: must be an ISO 3166-1 alpha-2 country code of two capital letters',
    ]);
  });

  const schemas = {
    StorefrontEvent,
    EventEnvelope,
    NotificationPayload,
    QueueFile,
    Env: BaseEnv.extend(OidcEnv.shape).extend(TasksEnv.shape).extend(FirestoreEnv.shape).extend(MailEnv.shape),
  };
  it.each(Object.entries(schemas))('%s.safeParse never throws on arbitrary values', (_name, schema) => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withObjectString: true, withSparseArray: true }),
        (v) => void schema.safeParse(v),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  // Cheap (no HTTP), so many runs: the same mutations the webhook fuzz posts, straight at the schemas.
  it.each([
    ['StorefrontEvent', StorefrontEvent, [created('o-4'), shipped('o-4'), cancelled('o-4')]],
    [
      'NotificationPayload',
      NotificationPayload,
      [
        {
          kind: 'order-confirmation',
          idempotencyKey: 'k',
          eventId: 'e',
          order: (created('o-5').data as { order: unknown }).order,
        },
      ],
    ],
  ] as const)('%s.safeParse never throws on mutations of valid values', (_name, schema, values) => {
    fc.assert(
      fc.property(
        fc.constantFrom(...values).chain((v) => mutationOf(v)),
        (m) => void schema.safeParse(m.value),
      ),
      { numRuns: FUZZ_RUNS * 20 },
    );
  });
});
