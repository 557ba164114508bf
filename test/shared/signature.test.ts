import { describe, expect, it } from 'vitest';
import { AuthError } from '../../shared/errors.ts';
import { signWebhook, verifyWebhookSignature } from '../../shared/signature.ts';

const SECRET = 'whsec_0123456789abcdef';
const body = Buffer.from('{"id":"evt_1"}');
const now = Date.UTC(2026, 10, 24, 12, 0, 0);
const t = now / 1000;

function check(header: string | undefined, over: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) {
  return () => verifyWebhookSignature({ header, rawBody: body, secrets: [SECRET], now, ...over });
}

describe('webhook signatures', () => {
  it('accepts a fresh signature over the raw body', () => {
    expect(check(signWebhook(SECRET, body, t))).not.toThrow();
  });
  it('accepts any of several v1 entries and any of several secrets (rotation)', () => {
    const header = `t=${t},v1=${'0'.repeat(64)},v1=${signWebhook('whsec_new_secret_0001', body, t).split('v1=')[1]}`;
    expect(check(header, { secrets: [SECRET, 'whsec_new_secret_0001'] })).not.toThrow();
  });
  it.each([
    ['missing', undefined, /Missing X-Storefront-Signature/],
    ['malformed', 'sha256=abc', /Malformed/],
    ['stale', signWebhook(SECRET, body, t - 301), /301 s old/],
    ['from the future', signWebhook(SECRET, body, t + 301), /in the future/],
    [
      'signed with another secret',
      signWebhook('whsec_other_secret_000', body, t),
      /No X-Storefront-Signature v1 signature matches/,
    ],
    ['over another body', signWebhook(SECRET, '{"id":"evt_2"}', t), /matches/],
  ])('rejects a %s signature with 401', (_n, header, message) => {
    let err: unknown;
    try {
      check(header)();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).status).toBe(401);
    expect((err as AuthError).message).toMatch(message);
  });
});
