import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, storefrontEventSchema } from '../../ops/json-schema.ts';

describe('published JSON Schema', () => {
  it('matches the zod schemas (run npm run schema after changing them)', () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(storefrontEventSchema());
  });
  it('describes the four event types, the ping and the money fields as integers', () => {
    const schema = storefrontEventSchema() as { oneOf: { properties: { type: { const: string }; data: any } }[] };
    expect(schema.oneOf.map((s) => s.properties.type.const)).toEqual([
      'order.created',
      'order.shipped',
      'order.cancelled',
      'order.completed',
      'ping',
    ]);
    expect(schema.oneOf[0]!.properties.data.properties.order.properties.total.type).toBe('integer');
  });
});
