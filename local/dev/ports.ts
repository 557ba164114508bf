/** Port checks before anything starts, so a taken port is reported by name with the flag that changes it. */
import { connect, createServer } from 'node:net';

export interface PortClaim {
  port: number;
  /** What would listen there, e.g. `the Firestore emulator`. */
  what: string;
  /** The flag that chooses another port, e.g. `--firestore-port`. */
  flag: string;
}

/** Resolves when `port` can be bound on `host`, or with the error code (`EADDRINUSE`, `EACCES`…). */
export function probePort(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(undefined)));
  });
}

/** Throws one message naming every taken or clashing port and how to choose another. */
export async function checkPorts(host: string, claims: PortClaim[]): Promise<void> {
  const problems: string[] = [];
  const seen = new Map<number, PortClaim>();
  for (const c of claims) {
    const other = seen.get(c.port);
    if (other)
      problems.push(
        `port ${c.port} is asked for both ${other.what} and ${c.what}: choose another with ${c.flag} <port>`,
      );
    seen.set(c.port, c);
  }
  const results = await Promise.all(claims.map(async (c) => [c, await probePort(host, c.port)] as const));
  for (const [c, code] of results) {
    if (!code) continue;
    const why = code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${code})`;
    problems.push(
      `port ${c.port} on ${host} (for ${c.what}) ${why}. ` +
        `Stop what uses it (\`lsof -i :${c.port}\` shows it), or choose another with ${c.flag} <port>.`,
    );
  }
  if (problems.length) throw new Error(problems.join('\n'));
}

/**
 * Resolves once something accepts TCP connections on `host:port` (a plain connect: an HTTP probe would show up in
 * the function's own log as a rejected request); throws when `gaveUp()` or after `timeoutMs`.
 */
export async function waitForListen(
  host: string,
  port: number,
  timeoutMs: number,
  gaveUp: () => string | undefined,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const why = gaveUp();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listened on ${host}:${port} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
