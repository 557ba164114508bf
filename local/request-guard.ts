/**
 * The check every local server of the stack (the console, the Cloud Tasks emulator, the mail sink) makes before it
 * answers, so that a web page the developer happens to open can neither read nor change it:
 * - Host: a page on a rebound DNS name (evil.example, re-pointed at 127.0.0.1) sends that name as `Host`. Only a
 *   loopback name or address (`localhost` and its subdomains, 127.0.0.0/8, `[::1]`), the address the server is bound
 *   to and the hosts of `--allowed-hosts` are answered, with any port.
 * - Origin: a cross-site form or "simple" fetch (no preflight) carries the page's `Origin`. A POST, PUT, PATCH or
 *   DELETE with an `Origin` other than the server's own (the host it was sent to) or an allowed host's is refused.
 *   curl, gcloud, the client libraries and server-to-server calls send no `Origin` and are unaffected.
 * Dev-only; nothing in functions/ or shared/ imports it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIPv6 } from 'node:net';

/** The flag of `npm run dev`, `npm run console`, `npm run emulator` and `npm run mail-sink` that allows more hosts. */
export const ALLOWED_HOSTS_FLAG = '--allowed-hosts';

/** Why a request is not answered: the header at fault, its value, and a message that names the flag. */
export interface Refusal {
  status: 403;
  header: 'Host' | 'Origin';
  value: string;
  message: string;
}

export interface GuardOptions {
  /** The address the server listens on (`--host`): allowed as a `Host` too. */
  boundHost?: string;
  /** More host names or addresses (`--allowed-hosts`), any port; `.example.com` allows it and its subdomains. */
  allowedHosts?: readonly string[];
  /** Receives one structured entry per refused request. @default a JSON line on stdout */
  log?: (entry: Record<string, unknown>) => void;
}

/** `undefined` when the request may be answered, else why not (answer it with `status` and the message). */
export type RequestGuard = (req: {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
}) => Refusal | undefined;

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Whether a request of this method changes state (what the Origin check covers). */
export const isWrite = (method: string | undefined): boolean => WRITES.has(method ?? 'GET');
const NAME = /^(?:\.?[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?|\[[0-9a-f:.]+\])$/;

/**
 * The host name of a Host header, an address or a name (an IPv6 address with or without brackets) as a URL's
 * `hostname` spells it (lowercase, IPv4 canonical, IPv6 in brackets), or undefined when it is none.
 */
function hostname(value: string): string | undefined {
  const v = isIPv6(value) ? `[${value}]` : value.toLowerCase();
  if (!/^[^/\\@?#\s]+$/.test(v)) return undefined;
  try {
    return new URL(`http://${v}`).hostname;
  } catch {
    return undefined;
  }
}

/** `hostname:port` of a Host header or an origin, the port made explicit; undefined when it is not one. */
function hostAndPort(value: string, scheme = 'http:'): string | undefined {
  if (!/^[^/\\@?#\s]+$/.test(value)) return undefined;
  try {
    const u = new URL(`${scheme}//${value}`);
    return `${u.hostname}:${u.port || (scheme === 'https:' ? '443' : '80')}`;
  } catch {
    return undefined;
  }
}

const isLoopback = (name: string): boolean =>
  name === 'localhost' ||
  name.endsWith('.localhost') ||
  /^127\.\d+\.\d+\.\d+$/.test(name) ||
  name === '[::1]' ||
  /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(name);

/** Whether `name` is one of `allowed` (an entry with a leading dot also allows its subdomains). */
const listed = (name: string, allowed: readonly string[]): boolean =>
  allowed.some((a) => (a.startsWith('.') ? name === a.slice(1) || name.endsWith(a) : name === a));

/**
 * The hosts of `--allowed-hosts` (repeated, or comma-separated), normalized; throws an Error naming the flag and
 * the entry for one that is not a host name or address without a port.
 */
export function parseAllowedHosts(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((raw) => raw.trim())
    .filter(Boolean)
    .map((raw) => {
      const dot = raw.startsWith('.') ? '.' : '';
      const bare = raw.slice(dot.length);
      const name = hostname(bare);
      if (name === undefined || !NAME.test(dot + name) || (!isIPv6(bare) && hostAndPort(bare) !== `${name}:80`)) {
        throw new Error(
          `${ALLOWED_HOSTS_FLAG} takes host names or addresses without a port (any port is allowed), separated by commas, ` +
            `e.g. ${ALLOWED_HOSTS_FLAG} myhost.lan,.example.test; got "${raw}"`,
        );
      }
      return dot + name;
    });
}

/** For a program's own flags: the hosts of `--allowed-hosts`; when they are not hosts, the message and exit code 2. */
export function allowedHostsOrExit(values: readonly string[] | undefined, prefix = ''): string[] {
  try {
    return parseAllowedHosts(values);
  } catch (err) {
    console.error(`${prefix}${(err as Error).message}`);
    process.exit(2);
  }
}

/** The check of this module for one server; see the module comment. */
export function createRequestGuard(o: GuardOptions = {}): RequestGuard {
  const allowed = parseAllowedHosts(o.allowedHosts);
  const bound = o.boundHost === undefined ? undefined : hostname(o.boundHost);
  const log = o.log ?? ((entry) => console.log(JSON.stringify(entry)));
  const refuse = (
    req: Parameters<RequestGuard>[0],
    header: Refusal['header'],
    value: string,
    name: string | undefined,
    message: string,
  ): Refusal => {
    const allow =
      name && NAME.test(name)
        ? ` To allow it, start this server (or npm run dev) with ${ALLOWED_HOSTS_FLAG} ${name}.`
        : '';
    const refusal: Refusal = { status: 403, header, value, message: `${message}${allow}` };
    log({
      severity: 'WARNING',
      message: `Refused a request: its ${header} is not allowed`,
      header,
      value,
      method: req.method,
      path: req.url?.split('?')[0],
    });
    return refusal;
  };
  return (req) => {
    const host = req.headers.host;
    // A request without Host is HTTP/1.0 and never a browser's.
    if (host !== undefined) {
      const name = hostname(host);
      if (name === undefined || !(isLoopback(name) || name === bound || listed(name, allowed))) {
        return refuse(
          req,
          'Host',
          host,
          name,
          `Host "${host}" is not allowed: this local server answers only loopback names and addresses ` +
            `(localhost, 127.0.0.1, [::1]), the address it listens on and the hosts of ${ALLOWED_HOSTS_FLAG}.`,
        );
      }
    }
    const origin = req.headers.origin;
    if (origin === undefined || !isWrite(req.method)) return undefined;
    let own: string | undefined;
    let name: string | undefined;
    try {
      const u = new URL(origin);
      own = hostAndPort(u.host, u.protocol);
      name = u.hostname;
    } catch {}
    if (own !== undefined && ((host !== undefined && own === hostAndPort(host)) || listed(name!, allowed)))
      return undefined;
    return refuse(
      req,
      'Origin',
      origin,
      name,
      `Origin "${origin}" may not ${req.method} here: only pages of this server's own origin and of the hosts of ` +
        `${ALLOWED_HOSTS_FLAG} may change it (requests without an Origin, such as curl's, are not affected).`,
    );
  };
}
