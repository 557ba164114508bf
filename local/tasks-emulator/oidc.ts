/** The emulator's OIDC issuer: an RS256 key (kept in the state dir), Google-shaped ID tokens, discovery and JWKS. */
import { createHash, createPublicKey } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import type { JWK } from 'jose';
import { readJson, StateError, writeJsonAtomic } from './persist.ts';

/** Signs ID tokens and describes the key that verifies them. */
export interface OidcIssuer {
  kid: string;
  /** An ID token for `email` with audience `aud`, valid one hour from now (wall clock). */
  token(email: string, aud: string): Promise<string>;
  jwks(): { keys: JWK[] };
  /** Google's `/oauth2/v1/certs` shape: `{kid: PEM public key}`. */
  certs(): Record<string, string>;
  discovery(issuer: string): Record<string, unknown>;
}

const KEY_FILE = 'oidc-key.json';

/** The numeric "unique id" Google puts in `sub`/`azp`, derived stably from the service-account email. */
export function uniqueId(email: string): string {
  const n = BigInt(`0x${createHash('sha256').update(email).digest('hex').slice(0, 16)}`);
  return `1${String(n).padStart(20, '0').slice(0, 20)}`;
}

async function loadOrCreateKey(stateDir: string | undefined): Promise<JWK> {
  const saved = stateDir ? (readJson(stateDir, KEY_FILE) as JWK | undefined) : undefined;
  if (saved) {
    if (saved.kty !== 'RSA' || !saved.d || !saved.kid)
      throw new StateError(`${stateDir}/${KEY_FILE} is not an RSA private JWK with a kid.`);
    return saved;
  }
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = createHash('sha256')
    .update(jwk.n ?? '')
    .digest('hex')
    .slice(0, 40);
  jwk.alg = 'RS256';
  jwk.use = 'sig';
  if (stateDir) writeJsonAtomic(stateDir, KEY_FILE, jwk);
  return jwk;
}

/** Loads the signing key from `stateDir` (made on first start), or makes a throw-away one without a state dir. */
export async function createOidcIssuer(issuerUrl: () => string, stateDir: string | undefined): Promise<OidcIssuer> {
  const priv = await loadOrCreateKey(stateDir);
  const kid = priv.kid!;
  const key = await importJWK(priv, 'RS256');
  const { d, p, q, dp, dq, qi, ...pub } = priv;
  void [d, p, q, dp, dq, qi];
  const pem = createPublicKey({ key: pub, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const cache = new Map<string, { token: string; until: number }>();

  return {
    kid,
    async token(email, aud) {
      const now = Math.floor(Date.now() / 1000);
      const hit = cache.get(`${email} ${aud}`);
      if (hit && hit.until > now) return hit.token;
      const id = uniqueId(email);
      const token = await new SignJWT({ aud, azp: id, email, email_verified: true, sub: id })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(issuerUrl())
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(key);
      cache.set(`${email} ${aud}`, { token, until: now + 60 }); // reused for a minute, as Google reuses tokens
      return token;
    },
    jwks: () => ({ keys: [{ ...pub, kid, alg: 'RS256', use: 'sig' }] }),
    certs: () => ({ [kid]: pem }),
    discovery: (issuer) => ({
      issuer,
      jwks_uri: `${issuer}/oauth2/v3/certs`,
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      claims_supported: ['aud', 'azp', 'email', 'email_verified', 'exp', 'iat', 'iss', 'sub'],
    }),
  };
}
