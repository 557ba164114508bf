import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMailSink, type MailSink } from '../../local/mail-sink/server.ts';
import { loadConfig } from '../../shared/config.ts';
import { PermanentError, RateLimitedError, RetryableError } from '../../shared/errors.ts';
import { createMailer, MailEnv, templateIdFor, type MailMessage } from '../../shared/mail.ts';
import { mailConfig } from '../support/mail-fixtures.ts';

const message: MailMessage = {
  to: { email: 'jane.doe@example.com', name: 'Jane Doe' },
  subject: 'Your order #1001 is confirmed',
  text: 'Hi Jane',
  html: '<p>Hi Jane</p>',
  customArgs: { eventId: 'evt_1', taskName: 'task-1' },
  categories: ['order-confirmation'],
};

let sink: MailSink;
beforeEach(async () => {
  sink = await startMailSink({ apiKey: 'SG.test-key' });
});
afterEach(async () => {
  vi.useRealTimers();
  await sink.close();
});

/** The error `send` rejects with (fails the test if it resolves). */
async function failure(config = mailConfig(sink.url), msg: MailMessage = message): Promise<unknown> {
  return createMailer(config)
    .send(msg)
    .then(
      (r) => expect.fail(`expected a failure, got ${JSON.stringify(r)}`),
      (err: unknown) => err,
    );
}

describe('createMailer: what reaches SendGrid', () => {
  it('sends our rendered email as SendGrid v3 JSON and returns the X-Message-Id', async () => {
    const config = mailConfig(sink.url, { MAIL_REPLY_TO: 'help@storefront.test' });
    const { messageId } = await createMailer(config).send(message);
    const [recorded] = sink.messages();
    expect(sink.messages()).toHaveLength(1);
    expect(messageId).toBe(recorded!.id);
    expect(messageId).toMatch(/^[\w-]{22}$/);
    expect(recorded!.request).toEqual({
      from: { email: 'shop@storefront.test', name: 'Storefront' },
      reply_to: { email: 'help@storefront.test' },
      subject: 'Your order #1001 is confirmed',
      personalizations: [{ to: [{ email: 'jane.doe@example.com', name: 'Jane Doe' }] }],
      content: [
        { type: 'text/plain', value: 'Hi Jane' },
        { type: 'text/html', value: '<p>Hi Jane</p>' },
      ],
      custom_args: { eventId: 'evt_1', taskName: 'task-1' },
      categories: ['order-confirmation'],
    });
  });

  it('sends a dynamic template with its data and no content', async () => {
    await createMailer(mailConfig(`${sink.url}/`)).send({
      to: { email: 'jane.doe@example.com' },
      templateId: 'd-0123456789abcdef0123456789abcdef',
      dynamicTemplateData: { orderNumber: '1001', customerName: 'Tom & "Jerry"' },
      customArgs: { eventId: 'evt_2' },
    });
    const request = sink.messages()[0]!.request;
    expect(request.template_id).toBe('d-0123456789abcdef0123456789abcdef');
    expect(request.content).toBeUndefined();
    expect(request.personalizations).toEqual([
      {
        to: [{ email: 'jane.doe@example.com' }],
        dynamic_template_data: { orderNumber: '1001', customerName: 'Tom & "Jerry"' },
      },
    ]);
    expect(request.custom_args).toEqual({ eventId: 'evt_2' });
  });
});

describe('createMailer: SendGrid failures become our errors', () => {
  it('429 with X-RateLimit-Reset → RateLimitedError retrying when the limit resets', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T12:00:00.400Z'));
    const now = Math.floor(Date.now() / 1000);
    sink.script([
      { status: 429, headers: { 'X-RateLimit-Reset': String(now + 30) } },
      { status: 429, headers: { 'X-RateLimit-Reset': String(now - 5) } },
      { status: 429 },
    ]);
    const first = await failure();
    expect(first).toBeInstanceOf(RateLimitedError);
    expect(first).toMatchObject({ code: 'provider-rate-limited', retryAfterSeconds: 30 });
    expect(await failure()).toMatchObject({ code: 'provider-rate-limited', retryAfterSeconds: 1 });
    expect(await failure()).toMatchObject({ code: 'provider-rate-limited', retryAfterSeconds: undefined });
    expect(sink.messages()).toHaveLength(0);
  });

  it.each([500, 502, 503, 504])('%i → RetryableError provider-unavailable', async (status) => {
    sink.script([{ status, headers: status === 503 ? { 'Retry-After': '7' } : {} }]);
    const err = await failure();
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).not.toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ code: 'provider-unavailable', retryAfterSeconds: status === 503 ? 7 : undefined });
  });

  it('400 from the real validation → PermanentError naming the field, address masked', async () => {
    const err = await failure(mailConfig(sink.url), { ...message, to: { email: 'jane.doe@example' } });
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({
      code: 'provider-rejected',
      details: [{ path: 'personalizations.0.to.0.email', message: 'Does not contain a valid address.' }],
    });
    expect((err as Error).message).toContain('personalizations.0.to.0.email: Does not contain a valid address.');
  });

  it('400 and 413 → PermanentError listing every SendGrid error, with no full email address', async () => {
    const errors = [
      {
        message: 'We found the first duplicate instance of [jane.doe@example.com] in the personalizations.0.to field.',
        field: 'personalizations.0.to',
        help: null,
      },
      { message: 'The subject is required.', field: 'subject', help: null },
    ];
    sink.script([{ status: 400, body: { errors } }, { status: 413 }]);
    const err = (await failure()) as PermanentError;
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('provider-rejected');
    expect(err.message).toContain('personalizations.0.to:');
    expect(err.message).toContain('subject: The subject is required.');
    expect(err.message).toContain('j***@e***.com');
    expect(JSON.stringify({ m: err.message, d: err.details, c: String(err.cause) })).not.toContain(
      'jane.doe@example.com',
    );
    expect(await failure()).toMatchObject({
      name: 'PermanentError',
      code: 'provider-rejected',
      message: expect.stringContaining('413'),
    });
  });

  it('401 for a wrong key and 403 for an unverified sender → RetryableError provider-auth saying what to fix', async () => {
    const err = await failure(mailConfig(sink.url, { SENDGRID_API_KEY: 'SG.revoked' }));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'provider-auth', message: expect.stringContaining('SENDGRID_API_KEY') });
    sink.script([
      {
        status: 403,
        body: {
          errors: [
            { message: 'The from address does not match a verified Sender Identity.', field: 'from', help: null },
          ],
        },
      },
    ]);
    expect(await failure()).toMatchObject({ code: 'provider-auth', message: expect.stringContaining('MAIL_FROM') });
  });

  it('a SendGrid that does not answer in time → RetryableError', async () => {
    // The sink holds the request for longer than the test may run: only the client's own timeout can end it.
    sink.script([{ delayMs: 3_600_000 }]);
    const err = await failure(mailConfig(sink.url, { SENDGRID_TIMEOUT_MS: 200 }));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'provider-unavailable', message: 'SendGrid did not answer within 200 ms' });
  });

  it('connection refused → RetryableError', async () => {
    const gone = await startMailSink();
    await gone.close();
    const err = await failure(mailConfig(gone.url));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({
      code: 'provider-unavailable',
      message: 'SendGrid could not be reached (ECONNREFUSED)',
    });
  });
});

describe('MailEnv', () => {
  const env = { SENDGRID_API_KEY: 'SG.x', MAIL_FROM: 'shop@storefront.test' };

  it('has defaults and picks the template per kind', () => {
    const config = loadConfig(MailEnv, {
      ...env,
      SENDGRID_TEMPLATE_SHIPPING_UPDATE: 'd-0123456789abcdef0123456789abcdef',
    });
    expect(config.SENDGRID_TIMEOUT_MS).toBe(10_000);
    expect(config.SENDGRID_BASE_URL).toBeUndefined();
    expect(templateIdFor(config, 'shipping-update')).toBe('d-0123456789abcdef0123456789abcdef');
    expect(templateIdFor(config, 'order-confirmation')).toBeUndefined();
  });

  it('names every bad setting', () => {
    let message = '';
    try {
      loadConfig(MailEnv, {
        MAIL_FROM: 'nope',
        SENDGRID_BASE_URL: 'ftp://x',
        SENDGRID_TEMPLATE_DAILY_REPORT: 'tmpl-1',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const key of ['SENDGRID_API_KEY', 'MAIL_FROM', 'SENDGRID_BASE_URL', 'SENDGRID_TEMPLATE_DAILY_REPORT']) {
      expect(message).toContain(`${key}:`);
    }
  });
});
