import { describe, expect, it } from 'vitest';
import { AuthError } from '../../../shared/errors.ts';
import { parseExactJson } from '../../../shared/platforms/exact-json.ts';
import { signBase64 } from '../../../shared/platforms/hmac-base64.ts';
import { verifyShopifyWebhook } from '../../../shared/platforms/shopify/verify.ts';
import { verifyWooCommerceWebhook } from '../../../shared/platforms/woocommerce/verify.ts';
import { platformJson, shopifyOrder } from '../../support/platform-fixtures.ts';
import { rejectionOf } from '../../support/translations.ts';

const SECRET = 'shpss_0123456789abcdef0123456789abcdef';
const NEW_SECRET = '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';
const body = Buffer.from(platformJson(shopifyOrder()));

function rejection(fn: () => void): AuthError {
  const err = rejectionOf(fn);
  expect(err).toBeInstanceOf(AuthError);
  return err as AuthError;
}

describe.each([
  ['Shopify', verifyShopifyWebhook, 'X-Shopify-Hmac-Sha256'],
  ['WooCommerce', verifyWooCommerceWebhook, 'X-WC-Webhook-Signature'],
])('%s signatures', (_platform, verify, headerName) => {
  it('accepts the base64 HMAC-SHA256 of the raw body', () => {
    expect(() => verify({ header: signBase64(SECRET, body), rawBody: body, secrets: [SECRET] })).not.toThrow();
  });
  it('accepts either secret during a rotation', () => {
    expect(() =>
      verify({ header: signBase64(NEW_SECRET, body), rawBody: body, secrets: [SECRET, NEW_SECRET] }),
    ).not.toThrow();
    expect(() =>
      verify({ header: signBase64(SECRET, body), rawBody: body, secrets: [SECRET, NEW_SECRET] }),
    ).not.toThrow();
  });
  it.each([
    ['missing', undefined, body, /Missing/],
    ['not base64 of 32 bytes', 'abc', body, /Malformed/],
    ['hex instead of base64', 'a'.repeat(64), body, /Malformed/],
    ['signed with another secret', signBase64('shpss_wrong_wrong_wrong_wrong_wrong0', body), body, /does not match/],
  ])('rejects a signature %s with 401 naming the header', (_n, header, raw, message) => {
    const err = rejection(() => verify({ header, rawBody: raw, secrets: [SECRET] }));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(headerName);
  });
  it('rejects a body re-serialised by a proxy: same JSON value, other bytes', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    expect(JSON.parse(reserialised.toString())).toEqual(JSON.parse(body.toString()));
    const err = rejection(() => verify({ header: signBase64(SECRET, body), rawBody: reserialised, secrets: [SECRET] }));
    expect(err.message).toMatch(/does not match/);
  });
  it('rejects a body whose big ids were rounded by a JSON round trip', () => {
    const rounded = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
    expect(rounded.equals(body)).toBe(false);
    expect(() => verify({ header: signBase64(SECRET, body), rawBody: rounded, secrets: [SECRET] })).toThrow(AuthError);
  });
});

describe('parseExactJson', () => {
  it('keeps 64-bit ids digit for digit', () => {
    expect(parseExactJson(body)).toMatchObject({ id: '820982911946154508', number: 234, total_price: '404.95' });
  });
  it('answers malformed JSON with a 400', () => {
    expect(() => parseExactJson('{"id": 1,')).toThrow(
      expect.objectContaining({ status: 400, code: 'invalid-payload' }),
    );
  });
});
