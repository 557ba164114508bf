/**
 * The Host and Origin checks of a local server (local/request-guard.ts), tried over HTTP as a web page would:
 * one suite, run against each server (console, Cloud Tasks emulator, mail sink) by its own test file with a
 * state-changing request and a private read of its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ipv6Loopback, rawRequest } from './net.ts';

export interface GuardedServer {
  /** Base URL without a trailing slash. */
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  host?: string;
  allowedHosts?: string[];
  /** Where the server logs a refused request. */
  log: (entry: Record<string, unknown>) => void;
}

export interface GuardSuite {
  /** Starts the server (and what it needs) with some state: the write below has not happened yet. */
  start(o: StartOptions): Promise<GuardedServer>;
  /** A request that changes the server's state; an API client sends it as JSON. */
  write: { method: string; path: string; body: string };
  /** Whether the write took effect, read through the server's own API or the parts behind it. */
  changed(s: GuardedServer): Promise<boolean>;
  /** A GET of private data, and a string its answer holds. */
  read: { path: string; holds: string };
}

/** Registers the tests of the Host and Origin checks for one server. */
export function describeWebAttacks(name: string, suite: GuardSuite): void {
  const running: GuardedServer[] = [];
  const logged: Record<string, unknown>[] = [];
  afterEach(async () => {
    for (const s of running.splice(0).reverse()) await s.stop();
    logged.length = 0;
  });
  const start = async (o: Omit<StartOptions, 'log'> = {}): Promise<GuardedServer> => {
    const s = await suite.start({ ...o, log: (entry) => logged.push(entry) });
    running.push(s);
    return s;
  };
  const hostOf = (s: GuardedServer): string => new URL(s.url).host;
  const port = (s: GuardedServer): string => new URL(s.url).port;
  const json = { 'content-type': 'application/json' };
  const write = (s: GuardedServer, headers: Record<string, string>) =>
    rawRequest(`${s.url}${suite.write.path}`, { method: suite.write.method, headers, body: suite.write.body });
  const read = (s: GuardedServer, headers: Record<string, string> = {}) =>
    rawRequest(`${s.url}${suite.read.path}`, { headers: { accept: 'application/json', ...headers } });

  describe(`${name}: requests from web pages`, () => {
    it('refuses a cross-site text/plain POST from another Origin with 403 naming --allowed-hosts, and changes nothing', async () => {
      const s = await start();
      const res = await write(s, { origin: 'http://evil.example', 'content-type': 'text/plain' });
      expect(res.status, res.text).toBe(403);
      expect(res.text).toContain('--allowed-hosts evil.example');
      expect(await suite.changed(s)).toBe(false);
      expect(logged).toEqual([
        expect.objectContaining({
          severity: 'WARNING',
          header: 'Origin',
          value: 'http://evil.example',
          method: suite.write.method,
        }),
      ]);
    });

    it('refuses a rebound Host (evil.example:PORT) with 403 naming --allowed-hosts: nothing is read, nothing changes', async () => {
      const s = await start();
      expect((await read(s)).text, 'the read itself, from 127.0.0.1').toContain(suite.read.holds);
      const host = `evil.example:${port(s)}`;
      const res = await read(s, { host });
      expect(res.status, res.text).toBe(403);
      expect(JSON.parse(res.text)).toBeTruthy();
      expect(res.text).toContain('--allowed-hosts evil.example');
      expect(res.text).not.toContain(suite.read.holds);
      // The rebound page is its own origin: the Host check alone stops its writes.
      expect((await write(s, { host, origin: `http://${host}`, ...json })).status).toBe(403);
      expect(await suite.changed(s)).toBe(false);
      expect(logged.map((e) => [e.header, e.value])).toEqual([
        ['Host', host],
        ['Host', host],
      ]);
    });

    it('answers an API client without Origin (curl, gcloud, client libraries)', async () => {
      const s = await start();
      const res = await write(s, json);
      expect(res.status, res.text).toBeLessThan(300);
      expect(await suite.changed(s)).toBe(true);
    });

    it('answers a write from a page of its own origin', async () => {
      const s = await start();
      const res = await write(s, { origin: `http://${hostOf(s)}`, ...json });
      expect(res.status, res.text).toBeLessThan(300);
      expect(await suite.changed(s)).toBe(true);
    });

    it('answers Host localhost:PORT and [::1]:PORT (bound to ::1 when this machine has IPv6 loopback)', async () => {
      const s = await start();
      const local = await read(s, { host: `localhost:${port(s)}` });
      expect(local.status, local.text).toBe(200);
      expect(local.text).toContain(suite.read.holds);
      if (await ipv6Loopback()) {
        const v6 = await start({ host: '::1' });
        expect(new URL(v6.url).hostname).toBe('[::1]');
        const res = await read(v6);
        expect(res.status, res.text).toBe(200);
        expect(res.text).toContain(suite.read.holds);
        const written = await write(v6, { origin: `http://${hostOf(v6)}`, ...json });
        expect(written.status, written.text).toBeLessThan(300);
        expect(await suite.changed(v6)).toBe(true);
      } else {
        const res = await read(s, { host: `[::1]:${port(s)}` });
        expect(res.status, res.text).toBe(200);
        expect(res.text).toContain(suite.read.holds);
      }
    });

    it('answers a host of --allowed-hosts, and writes from its pages', async () => {
      const s = await start({ allowedHosts: ['shop.test'] });
      const res = await read(s, { host: `shop.test:${port(s)}` });
      expect(res.status, res.text).toBe(200);
      expect(res.text).toContain(suite.read.holds);
      expect((await read(s, { host: `other.test:${port(s)}` })).status).toBe(403);
      const written = await write(s, { origin: 'http://shop.test:3000', ...json });
      expect(written.status, written.text).toBeLessThan(300);
      expect(await suite.changed(s)).toBe(true);
    });
  });
}
