/**
 * Verifies the Google-signed OIDC token that Cloud Tasks and Cloud Scheduler send to task targets. Dev and
 * production differ only in the issuer and JWKS values; verification is never skipped.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { AuthError } from './errors.ts';
import { once } from './lazy.ts';

export interface OidcOptions {
  /** The issuer's JWKS URL. Keys are cached and refetched when a token names an unknown `kid`. */
  jwksUrl: string;
  /** Accepted `iss` values. */
  issuers: readonly string[];
  /** The required `aud`: this function's URL. */
  audience: string;
  /** Service accounts allowed to call (`email` claim). */
  allowedEmails: readonly string[];
  /** Clock skew tolerated on `exp`, `iat` and `nbf`, in seconds. @default 30 */
  clockToleranceSeconds?: number;
  /** Least time between two JWKS fetches, so bad tokens cannot make us hammer the issuer. @default 30000 */
  jwksCooldownMs?: number;
  /** The clock, for tests. @default Date.now */
  now?: () => number;
}

/** The verified claims a handler may use. */
export interface OidcClaims {
  email: string;
  sub: string | undefined;
  iss: string;
  aud: string;
}

/** Verifies an `Authorization` header value and returns its claims, or throws an `AuthError` (401 or 403). */
export type OidcVerifier = (authorization: string | undefined) => Promise<OidcClaims>;

/** Builds a verifier once, at cold start; it keeps its JWKS cache for the life of the instance. */
export function createOidcVerifier(options: OidcOptions): OidcVerifier {
  const url = new URL(options.jwksUrl);
  // Made on the first token: creating it loads Node's fetch (undici), which would otherwise add to the cold start.
  const jwks = once(() =>
    createRemoteJWKSet(url, { cooldownDuration: options.jwksCooldownMs ?? 30_000, cacheMaxAge: 600_000 }),
  );
  const allowed = new Set(options.allowedEmails.map((e) => e.toLowerCase()));
  const tolerance = options.clockToleranceSeconds ?? 30;
  const now = options.now ?? Date.now;

  return async (authorization) => {
    const token = authorization?.match(/^Bearer\s+([A-Za-z0-9_.~+/=-]+)\s*$/i)?.[1];
    if (!token) throw new AuthError('unauthenticated', 'Missing bearer token in the Authorization header');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks(), {
        algorithms: ['RS256'],
        issuer: [...options.issuers],
        audience: options.audience,
        clockTolerance: tolerance,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'iat', 'email'],
      }));
    } catch (err) {
      throw new AuthError('unauthenticated', `Invalid OIDC token: ${describe(err)}`, { cause: err });
    }
    const iat = payload.iat ?? 0;
    if (iat * 1000 > now() + tolerance * 1000) {
      throw new AuthError('unauthenticated', 'Invalid OIDC token: "iat" claim is in the future');
    }
    const email = typeof payload.email === 'string' ? payload.email : '';
    if (payload.email_verified !== true && payload.email_verified !== 'true') {
      throw new AuthError('permission-denied', `Token email ${email} is not verified`);
    }
    if (!allowed.has(email.toLowerCase())) {
      throw new AuthError('permission-denied', `Service account ${email} may not call this function`);
    }
    return { email, sub: payload.sub, iss: payload.iss ?? '', aud: options.audience };
  };
}

function describe(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed)
    return `"${err.claim}" claim ${err.reason === 'check_failed' ? 'check failed' : err.reason}: ${err.message}`;
  if (err instanceof joseErrors.JOSEError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
