// The one Host and Origin check of the local servers (local/request-guard.ts), case by case; and the
// --allowed-hosts flag of every program that takes it, refused with the flag named when it is not hosts.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createRequestGuard, parseAllowedHosts } from '../../local/request-guard.ts';

const root = join(import.meta.dirname, '..', '..');
const logged: Record<string, unknown>[] = [];
const guard = createRequestGuard({
  boundHost: '192.168.1.20',
  allowedHosts: ['shop.test', '.preview.test'],
  log: (e) => logged.push(e),
});
const check = (method: string, host: string | undefined, origin?: string) =>
  guard({ method, url: '/x?y=1', headers: { ...(host !== undefined ? { host } : {}), ...(origin ? { origin } : {}) } });

describe('the Host check', () => {
  it.each([
    'localhost:8000',
    'LOCALHOST',
    'app.localhost:3000',
    '127.0.0.1:8123',
    '127.0.0.2',
    '127.1:8000',
    '[::1]:8000',
    '[::ffff:127.0.0.1]:80',
    '192.168.1.20:8025',
    'shop.test:1',
    'preview.test',
    'pr-7.preview.test:443',
  ])('answers Host %s (loopback, the bound address or an allowed host; any port)', (host) => {
    expect(check('GET', host)).toBeUndefined();
  });

  it.each([
    'evil.example:8000',
    '127.0.0.1.evil.example',
    'localhost.evil.example',
    'xpreview.test',
    'shop.test.evil.example',
    '192.168.1.21',
    '[::2]:80',
    'a@127.0.0.1',
    '',
  ])('refuses Host "%s" with 403, naming --allowed-hosts', (host) => {
    expect(check('GET', host)).toMatchObject({
      status: 403,
      header: 'Host',
      value: host,
      message: expect.stringContaining('--allowed-hosts'),
    });
  });

  it('says which flag allows the host, and logs the refusal as one structured entry', () => {
    logged.length = 0;
    expect(check('GET', 'evil.example:8000')!.message).toContain('with --allowed-hosts evil.example.');
    expect(logged).toEqual([
      {
        severity: 'WARNING',
        message: 'Refused a request: its Host is not allowed',
        header: 'Host',
        value: 'evil.example:8000',
        method: 'GET',
        path: '/x',
      },
    ]);
  });

  it('answers a request without Host (HTTP/1.0: never a browser)', () => {
    expect(check('GET', undefined)).toBeUndefined();
  });
});

describe('the Origin check', () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('refuses %s from another origin, or an opaque one', (method) => {
    for (const origin of [
      'http://evil.example',
      'http://localhost:8000',
      'http://127.0.0.1:8001',
      'null',
      'not a url',
    ]) {
      expect(check(method, '127.0.0.1:8000', origin), origin).toMatchObject({
        status: 403,
        header: 'Origin',
        value: origin,
        message: expect.stringContaining('--allowed-hosts'),
      });
    }
  });

  it.each([
    ['its own origin', '127.0.0.1:8000', 'http://127.0.0.1:8000'],
    ['its own origin, default port', 'localhost', 'http://localhost'],
    ['its own origin over IPv6', '[::1]:8000', 'http://[::1]:8000'],
    ['an allowed host, any port', '127.0.0.1:8000', 'http://shop.test:3000'],
    ['a subdomain of an allowed domain', '127.0.0.1:8000', 'https://pr-7.preview.test'],
  ])('answers a write from %s', (_what, host, origin) => {
    expect(check('POST', host, origin)).toBeUndefined();
  });

  it('leaves requests without Origin and reads alone', () => {
    expect(check('POST', '127.0.0.1:8000')).toBeUndefined();
    expect(check('DELETE', '127.0.0.1:8000')).toBeUndefined();
    expect(check('GET', '127.0.0.1:8000', 'http://evil.example')).toBeUndefined();
    expect(check('OPTIONS', '127.0.0.1:8000', 'http://evil.example')).toBeUndefined();
  });
});

describe('--allowed-hosts', () => {
  it('takes names and addresses, repeated or comma-separated, normalized', () => {
    expect(parseAllowedHosts(['Shop.Test, 10.0.0.5', '::1', '[fe80::1]', '.Preview.test'])).toEqual([
      'shop.test',
      '10.0.0.5',
      '[::1]',
      '[fe80::1]',
      '.preview.test',
    ]);
    expect(parseAllowedHosts(undefined)).toEqual([]);
  });

  it.each(['shop.test:8000', '[::1]:8000', '*', 'http://shop.test', 'a/b', 'a b', 'user@shop.test'])(
    'refuses "%s", naming the flag',
    (value) => {
      expect(() => parseAllowedHosts([value])).toThrow(
        new RegExp(
          `--allowed-hosts takes host names or addresses without a port.*got "${value.replace(/[.*[\]]/g, '\\$&')}"`,
        ),
      );
    },
  );

  const run = promisify(execFile);
  it.each([
    ['npm run dev', 'local/dev/main.ts'],
    ['npm run console', 'local/console/main.ts'],
    ['npm run emulator', 'local/tasks-emulator/main.ts'],
    ['npm run mail-sink', 'local/mail-sink/main.ts'],
  ])('%s exits with 2 and names the flag for a bad value', async (_name, script) => {
    const res = await run(process.execPath, [join(root, script), '--allowed-hosts', 'shop.test:8000'], {
      cwd: root,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--allowed-hosts takes host names or addresses without a port');
  });
});
