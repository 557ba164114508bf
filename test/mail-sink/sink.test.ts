import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMailSink, type MailSink, type MailSinkOptions } from '../../local/mail-sink/server.ts';

const started: MailSink[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
async function sink(options: MailSinkOptions = {}): Promise<MailSink> {
  const s = await startMailSink(options);
  started.push(s);
  return s;
}

const valid = {
  personalizations: [{ to: [{ email: 'jane.doe@example.com' }] }],
  from: { email: 'shop@storefront.test' },
  subject: 'Hello',
  content: [
    { type: 'text/plain', value: 'Hi' },
    { type: 'text/html', value: '<p>Hi</p>' },
  ],
};

function post(
  s: MailSink,
  body: unknown,
  headers: Record<string, string> = { Authorization: 'Bearer SG.k' },
): Promise<Response> {
  return fetch(`${s.url}/v3/mail/send`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function fields(res: Response): Promise<Array<string | null>> {
  const body = (await res.json()) as { errors: Array<{ message: string; field: string | null; help: string | null }> };
  for (const e of body.errors) expect(typeof e.message).toBe('string');
  return body.errors.map((e) => e.field);
}

describe('mail sink: POST /v3/mail/send', () => {
  it('accepts a valid message with 202 and X-Message-Id, and records it', async () => {
    const s = await sink({ apiKey: 'SG.k' });
    const res = await post(s, valid);
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    const id = res.headers.get('x-message-id');
    expect(s.messages()).toMatchObject([
      { id, seq: 1, to: ['jane.doe@example.com'], subject: 'Hello', text: 'Hi', html: '<p>Hi</p>', request: valid },
    ]);
  });

  it('answers 401 with SendGrid’s error body for a missing or wrong key', async () => {
    const s = await sink({ apiKey: 'SG.k' });
    for (const headers of [{}, { Authorization: 'Bearer SG.other' }, { Authorization: 'Basic abc' }] as Array<
      Record<string, string>
    >) {
      const res = await post(s, valid, headers);
      expect(res.status).toBe(401);
      expect(await fields(res)).toEqual([null]);
    }
    expect(s.messages()).toHaveLength(0);
  });

  it('validates like SendGrid: 400 with every bad field named', async () => {
    const s = await sink();
    const cases: Array<[unknown, Array<string | null>]> = [
      ['{not json', [null]],
      [{ ...valid, from: undefined }, ['from.email']],
      [{ ...valid, from: { email: 'not-an-address' } }, ['from.email']],
      [{ ...valid, personalizations: [] }, ['personalizations']],
      [{ ...valid, personalizations: [{ to: [] }] }, ['personalizations.0.to']],
      [
        { ...valid, personalizations: [{ to: [{ email: 'a@b.test' }], cc: [{ email: 'A@b.test' }] }] },
        ['personalizations.0.cc'],
      ],
      [{ ...valid, subject: undefined }, ['subject']],
      [{ ...valid, content: undefined }, ['content']],
      [
        {
          ...valid,
          content: [
            { type: 'text/html', value: 'x' },
            { type: 'text/plain', value: 'y' },
          ],
        },
        ['content.1.type'],
      ],
      [{ ...valid, content: [{ type: 'text/plain', value: '' }] }, ['content.0.value']],
      [{ from: valid.from }, ['personalizations', 'subject', 'content']],
    ];
    for (const [body, expected] of cases) {
      const res = await post(s, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await fields(res)).toEqual(expected);
    }
    expect(s.messages()).toHaveLength(0);
  });

  it('needs neither subject nor content with a template_id', async () => {
    const s = await sink();
    const res = await post(s, {
      ...valid,
      subject: undefined,
      content: undefined,
      template_id: 'd-0123456789abcdef0123456789abcdef',
    });
    expect(res.status).toBe(202);
    expect(s.messages()[0]).toMatchObject({ templateId: 'd-0123456789abcdef0123456789abcdef', subject: undefined });
  });

  it('enforces 1000 personalizations and 1000 recipients per request', async () => {
    const s = await sink();
    const people = (n: number) => Array.from({ length: n }, (_, i) => ({ to: [{ email: `p${i}@x.test` }] }));
    expect((await post(s, { ...valid, personalizations: people(1000) })).status).toBe(202);
    const tooMany = await post(s, { ...valid, personalizations: people(1001) });
    expect(tooMany.status).toBe(400);
    expect(await fields(tooMany)).toEqual(['personalizations']);
    const to = Array.from({ length: 1001 }, (_, i) => ({ email: `r${i}@x.test` }));
    const recipients = await post(s, { ...valid, personalizations: [{ to }] });
    expect(await fields(recipients)).toEqual(['personalizations']);
  });

  it('answers 413 over the size limit', async () => {
    const s = await sink({ maxBodyBytes: 10_000 });
    const res = await post(s, { ...valid, content: [{ type: 'text/plain', value: 'x'.repeat(20_000) }] });
    expect(res.status).toBe(413);
    expect(s.messages()).toHaveLength(0);
  });

  it('answers 200 in sandbox mode and records nothing', async () => {
    const s = await sink();
    const res = await post(s, { ...valid, mail_settings: { sandbox_mode: { enable: true } } });
    expect(res.status).toBe(200);
    expect(s.messages()).toHaveLength(0);
  });
});

describe('mail sink: outbox', () => {
  it('writes each message to disk and serves it as JSON and HTML, newest last', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    dirs.push(dir);
    const s = await sink({ outboxDir: dir });
    await post(s, valid);
    await post(s, { ...valid, subject: 'Second', content: [{ type: 'text/html', value: '<h1>2</h1>' }] });
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(5);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(2);
    const second = s.messages()[1]!;
    expect(readFileSync(join(dir, `000002-${second.id}.html`), 'utf8')).toBe('<h1>2</h1>');

    const list = (await (await fetch(`${s.url}/outbox`)).json()) as { messages: Array<{ subject: string }> };
    expect(list.messages.map((m) => m.subject)).toEqual(['Hello', 'Second']);
    const one = (await (await fetch(`${s.url}/outbox/${second.id}`)).json()) as { request: unknown };
    expect(one.request).toMatchObject({ subject: 'Second' });
    const html = await fetch(`${s.url}/outbox/${second.id}/html`);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toBe('<h1>2</h1>');
    const page = await (await fetch(`${s.url}/outbox`, { headers: { Accept: 'text/html' } })).text();
    expect(page).toContain(`/outbox/${second.id}/html`);
    expect((await fetch(`${s.url}/outbox/nope`)).status).toBe(404);

    // A restarted sink finds the outbox again and keeps counting.
    await s.close();
    const again = await sink({ outboxDir: dir });
    expect(again.messages().map((m) => m.subject)).toEqual(['Hello', 'Second']);
    await post(again, valid);
    expect(again.messages()[2]!.seq).toBe(3);
    again.clear();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('mail sink: scripted faults', () => {
  it('answers scripted steps in order, then normally', async () => {
    const s = await sink();
    s.script([{ status: 429, headers: { 'X-RateLimit-Reset': '1790000000' } }, { status: 500 }]);
    const first = await post(s, valid);
    expect(first.status).toBe(429);
    expect(first.headers.get('x-ratelimit-reset')).toBe('1790000000');
    expect(await fields(first)).toEqual([null]);
    expect((await post(s, valid)).status).toBe(500);
    expect((await post(s, valid)).status).toBe(202);
    expect(s.messages()).toHaveLength(1);
  });

  it('can be scripted over HTTP by another process', async () => {
    const s = await sink();
    const bad = await fetch(`${s.url}/_sink/script`, { method: 'POST', body: JSON.stringify([{ status: 'x' }]) });
    expect(bad.status).toBe(400);
    const ok = await fetch(`${s.url}/_sink/script`, {
      method: 'POST',
      body: JSON.stringify({ steps: [{ status: 503 }] }),
    });
    expect(ok.status).toBe(200);
    expect((await post(s, valid)).status).toBe(503);
    expect((await post(s, valid)).status).toBe(202);
    await fetch(`${s.url}/_sink/clear`, { method: 'POST' });
    expect(s.messages()).toHaveLength(0);
  });

  it('delays a request, then accepts it', async () => {
    const s = await sink();
    s.script([{ delayMs: 3_000 }]);
    // Two requests at once: one takes the delay step. While it is held, the other and a third one are answered in
    // full; then the held one is accepted too.
    const pending = new Set(['a', 'b']);
    const both = ['a', 'b'].map((id) => post(s, valid).then((res) => (pending.delete(id), res.status)));
    await Promise.race(both);
    expect(pending.size).toBe(1);
    expect((await post(s, valid)).status).toBe(202);
    expect(pending.size, 'the delayed request, after two others were answered').toBe(1);
    expect(await Promise.all(both)).toEqual([202, 202]);
    expect(s.messages()).toHaveLength(3);
  });

  it('fails a seeded share of requests, the same way each time', async () => {
    const run = async (): Promise<number[]> => {
      const s = await sink();
      const res = await fetch(`${s.url}/_sink/faults`, {
        method: 'POST',
        body: JSON.stringify({ rate: 0.3, seed: 42, kinds: [503, 429] }),
      });
      expect(res.status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await post(s, valid)).status);
      expect(s.messages()).toHaveLength(statuses.filter((x) => x === 202).length);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    const failed = first.filter((x) => x !== 202).length;
    expect(failed).toBeGreaterThan(4);
    expect(failed).toBeLessThan(20);
    expect(new Set(first)).toEqual(new Set([202, 503, 429]));
  });
});
