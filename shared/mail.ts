/**
 * Sending email through SendGrid v3 with @sendgrid/mail: the settings, a mailer built once at cold start, and the
 * mapping of SendGrid's failures onto our error model. Dev and tests point it at the local mail sink through
 * `SENDGRID_BASE_URL`, never through a code branch.
 */
import { z } from 'zod';
import { url } from './config.ts';
import { AppError, PermanentError, RateLimitedError, RetryableError, type FieldIssue } from './errors.ts';
import { loadPackage, once } from './lazy.ts';
import { maskText } from './log.ts';
import type { NotificationKind } from './schemas/notifications.ts';

const TemplateId = z
  .string()
  .regex(/^d-[0-9a-f]{32}$/i, 'must be a SendGrid dynamic template id (d- and 32 hex digits)');

/** Settings of functions that send email. */
export const MailEnv = z.object({
  /** SendGrid API key with the mail.send permission. */
  SENDGRID_API_KEY: z.string().min(1),
  /** Base URL of the SendGrid API; set it to the local mail sink in dev and tests. @default SendGrid's global host */
  SENDGRID_BASE_URL: url.optional(),
  /** Sender address; must be a verified sender in SendGrid. */
  MAIL_FROM: z.email(),
  /** Sender display name. */
  MAIL_FROM_NAME: z.string().min(1).max(100).optional(),
  /** Where replies go. @default MAIL_FROM */
  MAIL_REPLY_TO: z.email().optional(),
  /** How long one SendGrid request may take before it counts as failed (retryable). @default 10000 */
  SENDGRID_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Dynamic template per notification kind; without one, our own templates render the email. */
  SENDGRID_TEMPLATE_ORDER_CONFIRMATION: TemplateId.optional(),
  SENDGRID_TEMPLATE_SHIPPING_UPDATE: TemplateId.optional(),
  SENDGRID_TEMPLATE_ORDER_CANCELLED: TemplateId.optional(),
  SENDGRID_TEMPLATE_DAILY_REPORT: TemplateId.optional(),
});
export type MailEnv = z.output<typeof MailEnv>;

/** The dynamic template configured for `kind`, if any. */
export function templateIdFor(config: MailEnv, kind: NotificationKind): string | undefined {
  const key = `SENDGRID_TEMPLATE_${kind.toUpperCase().replaceAll('-', '_')}` as keyof MailEnv;
  return config[key] as string | undefined;
}

/** One addressee. */
export interface Recipient {
  email: string;
  name?: string | undefined;
}

interface MessageBase {
  /** One recipient, or several who all receive (and see) the one email: the merchant's report list. */
  to: Recipient | Recipient[];
  /** Sent back by SendGrid's event webhook and shown in its activity feed: event id, task name… */
  customArgs?: Record<string, string>;
  categories?: string[];
}
/** An email rendered by us. */
export interface ContentMessage extends MessageBase {
  subject: string;
  text: string;
  html?: string;
}
/** An email rendered by a SendGrid dynamic template from plain data. */
export interface TemplateMessage extends MessageBase {
  templateId: string;
  dynamicTemplateData: Record<string, unknown>;
}
export type MailMessage = ContentMessage | TemplateMessage;

/** Sends one message; resolves with SendGrid's `X-Message-Id` (empty if SendGrid sent none). */
export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
}

/** The part of @sendgrid/mail's `MailService` used here (its .d.ts leaves out the `client` property). */
interface MailService {
  client: { setApiKey(key: string): void; setDefaultRequest(key: string, value: unknown): void };
  setTimeout(ms: number): void;
  send(data: Record<string, unknown>): Promise<[{ statusCode: number; headers: Record<string, unknown> }, unknown]>;
}

/**
 * A SendGrid `MailService` of its own for `config` (@sendgrid/mail, loaded on the first email: shared/lazy.ts). The
 * base URL is set after the API key, because `setApiKey` resets it to SendGrid's host.
 */
function createMailService(config: MailEnv): MailService {
  const { MailService: Service } = loadPackage<{ MailService: new () => MailService }>('@sendgrid/mail');
  const service = new Service();
  service.client.setApiKey(config.SENDGRID_API_KEY);
  if (config.SENDGRID_BASE_URL)
    service.client.setDefaultRequest('baseUrl', config.SENDGRID_BASE_URL.replace(/\/*$/, '/'));
  service.setTimeout(config.SENDGRID_TIMEOUT_MS);
  return service;
}

/** SendGrid's answer to one request. */
export interface SendGridResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, unknown>;
  /** The parsed JSON body, or its text when it is not JSON. */
  body: unknown;
}

/**
 * Builds a mailer once, at cold start; @sendgrid/mail sends (`POST {SENDGRID_BASE_URL}/v3/mail/send`), each request
 * bounded by SENDGRID_TIMEOUT_MS.
 */
export function createMailer(config: MailEnv): Mailer {
  const service = once(() => createMailService(config));
  const from = { email: config.MAIL_FROM, ...(config.MAIL_FROM_NAME ? { name: config.MAIL_FROM_NAME } : {}) };
  return {
    async send(message) {
      const to = (Array.isArray(message.to) ? message.to : [message.to]).map((r) =>
        r.name ? { email: r.email, name: r.name } : { email: r.email },
      );
      if (!to.length || to.some((r) => !r.email))
        throw new PermanentError('invalid-payload', 'The message has no recipient address');
      const content =
        'templateId' in message
          ? {
              templateId: message.templateId,
              ...(Object.keys(message.dynamicTemplateData).length
                ? { dynamicTemplateData: message.dynamicTemplateData }
                : {}),
            }
          : {
              subject: message.subject,
              text: message.text,
              ...(message.html !== undefined ? { html: message.html } : {}),
            };
      const categories = message.categories?.filter((c) => c !== '');
      try {
        const [response] = await service().send({
          to: to.length === 1 ? to[0] : to,
          from,
          ...(config.MAIL_REPLY_TO ? { replyTo: config.MAIL_REPLY_TO } : {}),
          ...content,
          ...(message.customArgs && Object.keys(message.customArgs).length ? { customArgs: message.customArgs } : {}),
          ...(categories?.length ? { categories } : {}),
          // The helper console.warns about quotes and ampersands in template data: noise in structured logs.
          hideWarnings: true,
        });
        const id = response.headers['x-message-id'];
        return { messageId: typeof id === 'string' ? id : '' };
      } catch (err) {
        throw toSendError(err, config.SENDGRID_TIMEOUT_MS);
      }
    },
  };
}

/**
 * What @sendgrid/mail rejects with, as our error: its `ResponseError` (`code` = HTTP status, `response` = headers and
 * parsed body) through `toMailError`; axios's network errors (a string `code`) as retryable. Anything else is
 * unexpected (internal: logged at ERROR and retried).
 */
function toSendError(err: unknown, timeoutMs: number): AppError {
  if (err instanceof AppError) return err;
  const e = err as {
    code?: unknown;
    response?: { headers?: Record<string, unknown>; body?: unknown };
    isAxiosError?: unknown;
    message?: unknown;
  };
  if (typeof e?.code === 'number' && e.response)
    return toMailError({ status: e.code, headers: lowerCaseKeys(e.response.headers ?? {}), body: e.response.body });
  if (e?.isAxiosError === true || typeof e?.code === 'string') {
    const code = typeof e.code === 'string' ? e.code : 'network error';
    const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
    const message = timedOut
      ? `SendGrid did not answer within ${timeoutMs} ms`
      : `SendGrid could not be reached (${code})`;
    // The axios error holds the request (API key, recipient): keep only its code as the cause.
    return new RetryableError('provider-unavailable', message, { cause: new Error(code) });
  }
  const reason = maskText(err instanceof Error ? err.message : String(err));
  return new AppError('internal', `SendGrid's client failed: ${reason}`, { cause: new Error(reason) });
}

const lowerCaseKeys = (headers: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

interface SendGridErrorBody {
  errors?: Array<{ message?: unknown; field?: unknown }>;
}

/**
 * Maps SendGrid's non-2xx answer to our error model: 429 → RateLimitedError, 5xx/408 → RetryableError, 400/413 (and
 * other 4xx) → PermanentError, 401/403 → RetryableError('provider-auth'). Messages never hold a full email address.
 */
export function toMailError(answer: SendGridResponse, now: number = Date.now()): AppError {
  const { status, headers } = answer;
  const details = sendGridIssues(answer.body);
  const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  const cause = new Error(maskText(`SendGrid ${status}${summary ? `: ${summary}` : ''}`));
  const opts = { cause, details };
  if (status === 429) {
    const reset = Number(headers['x-ratelimit-reset']);
    const retryAfterSeconds =
      Number.isFinite(reset) && reset > 0 ? Math.max(1, Math.ceil(reset - now / 1000)) : retryAfter(headers);
    return new RateLimitedError(
      'provider-rate-limited',
      `SendGrid rate limit reached (429)${retryAfterSeconds ? `; retry in ${retryAfterSeconds}s` : ''}`,
      { ...opts, retryAfterSeconds },
    );
  }
  if (status === 401 || status === 403) {
    const fix =
      status === 401
        ? 'the API key is invalid, expired or revoked: fix SENDGRID_API_KEY'
        : 'the sender is not verified or sending is blocked: fix MAIL_FROM or the key permissions in SendGrid';
    return new RetryableError(
      'provider-auth',
      maskText(`SendGrid refused the request (${status}): ${fix}${summary ? ` (${summary})` : ''}`),
      opts,
    );
  }
  if (status >= 500 || status === 408) {
    return new RetryableError('provider-unavailable', `SendGrid is unavailable (${status})`, {
      ...opts,
      retryAfterSeconds: retryAfter(headers),
    });
  }
  return new PermanentError(
    'provider-rejected',
    maskText(`SendGrid rejected the message (${status})${summary ? `: ${summary}` : ''}`),
    opts,
  );
}

function sendGridIssues(body: unknown): FieldIssue[] {
  const errors = (body as SendGridErrorBody | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((x) => ({
    path: typeof x.field === 'string' && x.field ? x.field : '(root)',
    message: maskText(typeof x.message === 'string' ? x.message : 'error'),
  }));
}

function retryAfter(headers: Record<string, unknown>): number | undefined {
  const s = Number(headers['retry-after']);
  return Number.isFinite(s) && s > 0 ? Math.ceil(s) : undefined;
}
