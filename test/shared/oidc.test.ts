import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../shared/errors.ts';
import { createOidcVerifier } from '../../shared/oidc.ts';
import { startTestIssuer, type TestIssuer } from '../support/jwks.ts';

const AUD = 'https://send-notification-abc-uc.a.run.app';
const SA = 'tasks-invoker@shop.iam.gserviceaccount.com';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.close());

const verifier = (over: Partial<Parameters<typeof createOidcVerifier>[0]> = {}) =>
  createOidcVerifier({
    jwksUrl: issuer.jwksUrl,
    issuers: ['https://accounts.google.com', 'accounts.google.com'],
    audience: AUD,
    allowedEmails: [SA],
    ...over,
  });

async function rejection(p: Promise<unknown>): Promise<AuthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  return err as AuthError;
}

describe('createOidcVerifier', () => {
  it('accepts a Google-shaped token for the right audience and service account', async () => {
    const token = await issuer.sign({ aud: AUD, email: SA });
    const claims = await verifier()(`Bearer ${token}`);
    expect(claims).toMatchObject({ email: SA, aud: AUD, iss: 'https://accounts.google.com' });
  });

  it('accepts the issuer without https:// too', async () => {
    const token = await issuer.sign({ aud: AUD, email: SA, iss: 'accounts.google.com' });
    await expect(verifier()(`Bearer ${token}`)).resolves.toMatchObject({ email: SA });
  });

  const cases: [string, () => Promise<string | undefined>, number, RegExp][] = [
    ['no header', async () => undefined, 401, /Missing bearer token/],
    ['not a bearer header', async () => 'Basic abc', 401, /Missing bearer token/],
    ['garbage token', async () => 'Bearer not.a.jwt', 401, /Invalid OIDC token/],
    [
      'wrong audience',
      async () => `Bearer ${await issuer.sign({ aud: 'https://other.example', email: SA })}`,
      401,
      /"aud"/,
    ],
    [
      'wrong issuer',
      async () => `Bearer ${await issuer.sign({ aud: AUD, email: SA, iss: 'https://evil.example' })}`,
      401,
      /"iss"/,
    ],
    [
      'expired',
      async () =>
        `Bearer ${await issuer.sign({ aud: AUD, email: SA, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 })}`,
      401,
      /expired/,
    ],
    [
      'issued in the future',
      async () => `Bearer ${await issuer.sign({ aud: AUD, email: SA, iat: Math.floor(Date.now() / 1000) + 600 })}`,
      401,
      /iat/,
    ],
    ['no email claim', async () => `Bearer ${await issuer.sign({ aud: AUD })}`, 401, /email/],
    [
      'signed by an unknown key',
      async () =>
        `Bearer ${await issuer.sign({ aud: AUD, email: SA }, { key: (await generateKeyPair('RS256')).privateKey })}`,
      401,
      /signature/i,
    ],
    [
      'HS256 instead of RS256',
      async () => {
        const { SignJWT } = await import('jose');
        const now = Math.floor(Date.now() / 1000);
        return `Bearer ${await new SignJWT({ aud: AUD, email: SA, iss: 'https://accounts.google.com', iat: now, exp: now + 60, email_verified: true }).setProtectedHeader({ alg: 'HS256', kid: 'key-1' }).sign(new TextEncoder().encode('x'.repeat(32)))}`;
      },
      401,
      /alg/i,
    ],
    [
      'wrong service account',
      async () => `Bearer ${await issuer.sign({ aud: AUD, email: 'someone@shop.iam.gserviceaccount.com' })}`,
      403,
      /may not call/,
    ],
    [
      'email not verified',
      async () => `Bearer ${await issuer.sign({ aud: AUD, email: SA, email_verified: false })}`,
      403,
      /not verified/,
    ],
  ];
  it.each(cases)('rejects %s', async (_name, header, status, message) => {
    const err = await rejection(verifier()(await header()));
    expect(err.status).toBe(status);
    expect(err.message).toMatch(message);
  });

  it('tolerates a small clock skew on exp', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await issuer.sign({ aud: AUD, email: SA, iat: now - 3610, exp: now - 10 });
    await expect(verifier()(`Bearer ${token}`)).resolves.toMatchObject({ email: SA });
    await rejection(verifier({ clockToleranceSeconds: 0 })(`Bearer ${token}`));
  });

  it('refetches the JWKS when a token names a new key (rotation)', async () => {
    const verify = verifier({ jwksCooldownMs: 0 });
    await verify(`Bearer ${await issuer.sign({ aud: AUD, email: SA })}`);
    const before = issuer.fetches();
    const { kid, key } = await issuer.rotate();
    await expect(verify(`Bearer ${await issuer.sign({ aud: AUD, email: SA }, { kid, key })}`)).resolves.toMatchObject({
      email: SA,
    });
    expect(issuer.fetches()).toBe(before + 1);
  });
});
