// The console refuses what a web page could send it (local/request-guard.ts): a cross-site pause of a queue, a
// rebound Host reading the outbox (customers' names and addresses); its own page, clients without Origin and
// loopback names work. Against a real Cloud Tasks emulator and mail sink.
import { afterEach, expect, inject, it } from 'vitest';
import { startConsole } from '../../local/console/index.ts';
import { startMailSink } from '../../local/mail-sink/server.ts';
import { startEmulator, type Emulator } from '../../local/tasks-emulator/index.ts';
import { rawRequest } from '../support/net.ts';
import { describeWebAttacks, type GuardedServer } from '../support/web-attacks.ts';

const EMAIL = 'jane.doe@example.com';
const emulators = new Map<string, Emulator>();
const paused = async (s: GuardedServer): Promise<boolean> => {
  const em = emulators.get(s.url)!;
  return (
    ((await (await fetch(`${em.url}/v2/${em.queuePath('notifications')}`)).json()) as { state: string }).state ===
    'PAUSED'
  );
};

async function startParts(
  o: { host?: string; allowedHosts?: string[]; log?: (entry: Record<string, unknown>) => void } = {},
): Promise<GuardedServer> {
  const em = await startEmulator({ port: 0, queues: [{ name: 'notifications' }] });
  const sink = await startMailSink();
  const sent = await fetch(`${sink.url}/v3/mail/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer SG.k' },
    body: JSON.stringify({
      personalizations: [{ to: [{ email: EMAIL, name: 'Jane Doe' }] }],
      from: { email: 'shop@storefront.test' },
      subject: 'Hi',
      content: [{ type: 'text/plain', value: 'Hi' }],
    }),
  });
  if (sent.status !== 202) throw new Error(`the sink answered ${sent.status} to a valid message`);
  const c = await startConsole({
    port: 0,
    ...o,
    tasksUrl: em.url,
    mailUrl: sink.url,
    firestoreHost: inject('firestoreHost'),
    project: em.project,
  });
  const url = c.url.replace(/\/$/, '');
  emulators.set(url, em);
  return {
    url,
    async stop() {
      emulators.delete(url);
      await c.stop();
      await sink.close();
      await em.close();
    },
  };
}

describeWebAttacks('console', {
  start: startParts,
  write: { method: 'POST', path: '/api/queues/notifications/pause', body: '{}' },
  changed: paused,
  read: { path: '/api/outbox', holds: EMAIL },
});

const started: GuardedServer[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
});

it('console: a write to the JSON API without Content-Type application/json is a 415 naming it, and changes nothing', async () => {
  const s = await startParts();
  started.push(s);
  for (const type of [
    undefined,
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
  ]) {
    const res = await rawRequest(`${s.url}/api/queues/notifications/pause`, {
      method: 'POST',
      headers: type ? { 'content-type': type } : {},
      body: '{}',
    });
    expect(res.status, `${type}: ${res.text}`).toBe(415);
    expect(JSON.parse(res.text)).toMatchObject({
      error: { status: 415, message: expect.stringContaining('Content-Type must be application/json') },
    });
  }
  expect(await paused(s)).toBe(false);
  const ok = await rawRequest(`${s.url}/api/queues/notifications/pause`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: '{}',
  });
  expect(ok.status, ok.text).toBe(200);
  expect(await paused(s)).toBe(true);
});
