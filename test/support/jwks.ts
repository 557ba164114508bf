/**
 * A real JWKS server for OIDC tests: an RS256 key pair served at /jwks, and a signer for Google-shaped tokens.
 */
import { createServer, type Server } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload, type CryptoKey } from 'jose';

export interface TestIssuer {
  jwksUrl: string;
  issuer: string;
  /** Signs a token with this issuer's key; claims override the Google-shaped defaults. */
  sign(
    claims: JWTPayload & { email?: string; email_verified?: boolean },
    opts?: { kid?: string; key?: CryptoKey; alg?: string; expiresIn?: number },
  ): Promise<string>;
  /** Adds a new key to the served set (a rotation) and returns its kid. */
  rotate(): Promise<{ kid: string; key: CryptoKey }>;
  /** How many times /jwks was fetched. */
  fetches(): number;
  close(): Promise<void>;
}

export async function startTestIssuer(issuer = 'https://accounts.google.com'): Promise<TestIssuer> {
  const keys: { kid: string; privateKey: CryptoKey; jwk: Record<string, unknown> }[] = [];
  const add = async (kid: string) => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    keys.push({ kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } });
    return { kid, key: privateKey };
  };
  await add('key-1');
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/jwks') {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    jwksUrl: `http://127.0.0.1:${port}/jwks`,
    issuer,
    async sign(claims, opts = {}) {
      const kid = opts.kid ?? keys[0]!.kid;
      const key = opts.key ?? keys.find((k) => k.kid === kid)?.privateKey ?? keys[0]!.privateKey;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: issuer,
        iat: now,
        exp: now + (opts.expiresIn ?? 3600),
        sub: '1234567890',
        azp: '1234567890',
        email_verified: true,
        ...claims,
      })
        .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid, typ: 'JWT' })
        .sign(key);
    },
    rotate: () => add(`key-${keys.length + 1}`),
    fetches: () => fetches,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
