/**
 * Generates the published JSON Schemas of the storefront webhook contract from the zod schemas the webhook
 * validates with: `npm run schema` writes docs/storefront-event.schema.json. A test fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PingEvent, StorefrontEvent } from '../shared/schemas/events.ts';

export function storefrontEventSchema(): Record<string, unknown> {
  // The events we act on, and the ping (a signed test delivery).
  const schema = z.toJSONSchema(z.discriminatedUnion('type', [...StorefrontEvent.options, PingEvent]), {
    target: 'draft-2020-12',
    unrepresentable: 'any',
  });
  return {
    title: 'Storefront event',
    description:
      'An event a storefront POSTs to storefront-webhook (type ping: a signed test delivery that changes nothing). ' +
      "Money is an integer in the currency's minor units. " +
      'Checks JSON Schema cannot express are also enforced: order.subtotal equals the sum of quantity × unitPrice, ' +
      'order.total equals subtotal + shipping + tax − discount, currency is an ISO 4217 code and country an ISO 3166-1 alpha-2 code.',
    ...schema,
  };
}

export const SCHEMA_FILE = join(import.meta.dirname, '..', 'docs', 'storefront-event.schema.json');

if (import.meta.main) {
  writeFileSync(SCHEMA_FILE, JSON.stringify(storefrontEventSchema(), null, 2) + '\n');
  console.log(`wrote ${SCHEMA_FILE}`);
}
