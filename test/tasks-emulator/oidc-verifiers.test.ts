/** Emulator tokens pass the project's own verifier (shared/oidc) and google-auth-library's, by configuration alone. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OAuth2Client } from 'google-auth-library';
import { createOidcVerifier } from '../../shared/oidc.ts';
import { startEmulator } from '../../local/tasks-emulator/index.ts';
import type { Emulator } from '../../local/tasks-emulator/index.ts';
import { eventually } from '../support/eventually.ts';
import { rest, startTarget } from './support.ts';

let em: Emulator;
let target: Awaited<ReturnType<typeof startTarget>>;
let authorization: string;
const email = 'tasks-invoker@storefront-local.iam.gserviceaccount.com';

beforeAll(async () => {
  em = await startEmulator({ port: 0 });
  target = await startTarget();
  const q = em.queuePath('oidc');
  await rest(em.url, 'POST', `/v2/projects/${em.project}/locations/${em.location}/queues`, { name: q });
  await rest(em.url, 'POST', `/v2/${q}/tasks`, {
    task: { httpRequest: { url: `${target.url}/fn`, oidcToken: { serviceAccountEmail: email } } },
  });
  authorization = await eventually(() => target.received[0]?.headers.authorization ?? false);
});
afterAll(async () => {
  await em.close();
  await target.close();
});

it('passes shared/oidc configured with the emulator issuer and JWKS', async () => {
  const verify = createOidcVerifier({
    jwksUrl: em.jwksUrl,
    issuers: [em.issuer],
    audience: `${target.url}/fn`,
    allowedEmails: [email],
  });
  await expect(verify(authorization)).resolves.toMatchObject({
    email,
    iss: em.issuer,
    sub: expect.stringMatching(/^\d+$/),
  });
  const wrongAud = createOidcVerifier({
    jwksUrl: em.jwksUrl,
    issuers: [em.issuer],
    audience: 'https://other',
    allowedEmails: [email],
  });
  await expect(wrongAud(authorization)).rejects.toThrow(/aud/);
});

it('passes google-auth-library with the Google-shaped PEM certs endpoint', async () => {
  const certs = (await rest(em.url, 'GET', '/oauth2/v1/certs')).json;
  const ticket = await new OAuth2Client().verifySignedJwtWithCertsAsync(
    authorization.slice('Bearer '.length),
    certs,
    `${target.url}/fn`,
    [em.issuer],
  );
  expect(ticket.getPayload()).toMatchObject({ email, email_verified: true, iss: em.issuer });
});
