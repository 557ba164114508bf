/** Queue-level `httpTarget` (reference §3.5): validated when set, applied to each task's request at dispatch. */
import { invalid } from './errors.ts';
import { parseEnum, parseInt32 } from './proto-json.ts';
import { HTTP_METHODS } from './task-model.ts';
import type { HttpMethod, TaskRecord } from './task-model.ts';

type Json = Record<string, any>;
const SCHEMES = ['SCHEME_UNSPECIFIED', 'HTTP', 'HTTPS'] as const;
const MODES = ['URI_OVERRIDE_ENFORCE_MODE_UNSPECIFIED', 'IF_NOT_EXISTS', 'ALWAYS'] as const;

/** Validates a REST `httpTarget` and returns it with enums as names (as Cloud Tasks returns them). */
export function normalizeHttpTarget(t: Json): Json {
  const out: Json = structuredClone(t);
  const u = out.uriOverride as Json | undefined;
  if (u) {
    if (u.scheme !== undefined) u.scheme = parseEnum(u.scheme, SCHEMES, 'queue.http_target.uri_override.scheme');
    if (u.uriOverrideEnforceMode !== undefined)
      u.uriOverrideEnforceMode = parseEnum(
        u.uriOverrideEnforceMode,
        MODES,
        'queue.http_target.uri_override.uri_override_enforce_mode',
      );
    if (u.host !== undefined && String(u.host) === '') throw invalid('HttpTarget.uri_override.host cannot be empty.');
    if (u.port !== undefined) u.port = String(parseInt32(u.port, 'queue.http_target.uri_override.port'));
  }
  if (out.httpMethod !== undefined)
    out.httpMethod = parseEnum(out.httpMethod, HTTP_METHODS, 'queue.http_target.http_method');
  for (const h of (out.headerOverrides ?? []) as Json[])
    if (!h?.header?.key) throw invalid('HttpTarget.header_overrides must each have a header key.');
  if (out.oidcToken && out.oauthToken)
    throw invalid('Only one of HttpTarget.oidc_token and HttpTarget.oauth_token may be set.');
  if (out.oidcToken && !(out.oidcToken.serviceAccountEmail && out.oidcToken.audience))
    throw invalid('HttpTarget.oidc_token needs both service_account_email and audience.');
  if (out.oauthToken && !(out.oauthToken.serviceAccountEmail && out.oauthToken.scope))
    throw invalid('HttpTarget.oauth_token needs both service_account_email and scope.');
  return out;
}

function overrideUrl(raw: string, u: Json): string {
  const url = new URL(raw);
  const always = (u.uriOverrideEnforceMode ?? 'ALWAYS') !== 'IF_NOT_EXISTS'; // every task has a URL, so IF_NOT_EXISTS keeps it
  if (!always) return raw;
  if (u.scheme === 'HTTP' || u.scheme === 'HTTPS') url.protocol = u.scheme === 'HTTP' ? 'http:' : 'https:';
  if (u.host) url.hostname = u.host;
  if (u.port !== undefined) url.port = u.port === '0' ? '' : String(u.port);
  if (u.pathOverride) url.pathname = u.pathOverride.path ?? '';
  if (u.queryOverride) url.search = u.queryOverride.queryParams ?? '';
  return url.toString();
}

/** The request a task is dispatched with once its queue's `httpTarget` (if any) is applied. */
export function withQueueTarget(req: TaskRecord['httpRequest'], target: Json | undefined): TaskRecord['httpRequest'] {
  if (!target) return req;
  const out: TaskRecord['httpRequest'] = { ...req, headers: { ...req.headers } };
  if (target.uriOverride) out.url = overrideUrl(req.url, target.uriOverride);
  if (target.httpMethod && target.httpMethod !== 'HTTP_METHOD_UNSPECIFIED')
    out.httpMethod = target.httpMethod as HttpMethod;
  if (
    out.httpMethod === 'GET' ||
    out.httpMethod === 'HEAD' ||
    out.httpMethod === 'DELETE' ||
    out.httpMethod === 'OPTIONS'
  )
    delete out.body;
  for (const { header } of (target.headerOverrides ?? []) as Json[]) {
    for (const k of Object.keys(out.headers))
      if (k.toLowerCase() === String(header.key).toLowerCase()) delete out.headers[k];
    out.headers[header.key] = String(header.value ?? '');
  }
  if (target.oidcToken) {
    delete out.oauthToken;
    out.oidcToken = { serviceAccountEmail: target.oidcToken.serviceAccountEmail, audience: target.oidcToken.audience };
  } else if (target.oauthToken) {
    delete out.oidcToken;
    out.oauthToken = { serviceAccountEmail: target.oauthToken.serviceAccountEmail, scope: target.oauthToken.scope };
  }
  return out;
}
