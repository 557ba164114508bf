/** The emulator's HTTP server: Cloud Tasks REST under `/v2/`, the control API under `/_emulator/`, and OIDC discovery. */
import http from 'node:http';
import type { RequestGuard } from '../request-guard.ts';
import type { ApiContext } from './api-context.ts';
import { routeControl } from './control-api.ts';
import type { ControlDeps } from './control-api.ts';
import { bufferTask } from './api-buffer.ts';
import { apiError, errorBody, invalid } from './errors.ts';
import type { OidcIssuer } from './oidc.ts';
import { routeRest } from './rest-routes.ts';

const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
/** BufferTask takes the raw HTTP body (HttpBody), so it is routed before JSON parsing. */
const BUFFER = /^\/v2\/(projects\/[^/]+\/locations\/[^/]+\/queues\/[^/:]+)\/tasks(?:\/([^/:]+))?:buffer$/;

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(data),
  });
  res.end(data);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_REQUEST_BYTES) throw invalid('Request payload size exceeds the limit.');
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8').trim();
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw invalid(`Invalid JSON payload received. Unexpected token.\n${text.slice(0, 40)}`);
  }
}

/**
 * Creates (but does not start) the HTTP server; `issuer()` is the URL tokens name as `iss`, `guard` refuses what a
 * web page sends (local/request-guard.ts) as PERMISSION_DENIED.
 */
export function createServer(
  api: ApiContext,
  control: ControlDeps,
  oidc: OidcIssuer,
  issuer: () => string,
  guard: RequestGuard,
): http.Server {
  return http.createServer(async (req, res) => {
    try {
      const refused = guard(req);
      if (refused) throw apiError('PERMISSION_DENIED', refused.message);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = decodeURIComponent(url.pathname);
      const method = req.method ?? 'GET';
      if (path === '/.well-known/openid-configuration') return send(res, 200, oidc.discovery(issuer()));
      if (path === '/oauth2/v3/certs' || path === '/jwks') return send(res, 200, oidc.jwks());
      if (path === '/oauth2/v1/certs' || path === '/certs') return send(res, 200, oidc.certs());
      const buffer = method === 'POST' ? BUFFER.exec(path) : null;
      if (buffer)
        return send(res, 200, bufferTask(api, buffer[1]!, buffer[2], await readBody(req), req.headers['content-type']));
      const body = await readJson(req);
      // The client library's Locations mixin calls /v1/projects/*/locations.
      if (path.startsWith('/v2/') || path.startsWith('/v1/'))
        return send(res, 200, routeRest(api, method, path.slice(4), body, url.searchParams));
      if (path.startsWith('/_emulator/'))
        return send(res, 200, await routeControl(control, method, path.slice(11), body, url.searchParams));
      return send(res, 404, {
        error: { code: 404, message: `The requested URL ${path} was not found on this server.`, status: 'NOT_FOUND' },
      });
    } catch (err) {
      const { httpStatus, body } = errorBody(err);
      if (httpStatus === 500) console.error('tasks emulator: internal error', err);
      if (!res.headersSent) send(res, httpStatus, body);
    }
  });
}
