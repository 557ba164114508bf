/**
 * Sending email through SendGrid v3 (`POST /v3/mail/send` with `fetch`): the settings, a mailer built once at cold
 * start, and the mapping of SendGrid's failures onto our error model (platform-notes D4). Dev and tests point it at the local mail
 * sink through `SENDGRID_BASE_URL`, never through a code branch.
 */
import { z } from 'zod';
import { url } from './config.ts';
import { AppError, PermanentError, RateLimitedError, RetryableError, type FieldIssue } from './errors.ts';
import { maskText } from './log.ts';
import type { NotificationKind } from './schemas/notifications.ts';

const TemplateId = z.string().regex(/^d-[0-9a-f]{32}$/i, 'must be a SendGrid dynamic template id (d- and 32 hex digits)');

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

/** SendGrid v3's mail/send body for `message`, as @sendgrid/mail 8 built it (snake_case; template data per recipient list). */
export function mailSendBody(from: Recipient, replyTo: string | undefined, message: MailMessage): Record<string, unknown> {
  const to = (Array.isArray(message.to) ? message.to : [message.to]).map((r) => (r.name ? { email: r.email, name: r.name } : { email: r.email }));
  if (!to.length || to.some((r) => !r.email)) throw new PermanentError('invalid-payload', 'The message has no recipient address');
  const isTemplate = 'templateId' in message;
  const data = isTemplate && Object.keys(message.dynamicTemplateData).length ? { dynamic_template_data: message.dynamicTemplateData } : {};
  return {
    from,
    ...(isTemplate ? {} : { subject: message.subject }),
    personalizations: [{ to, ...data }],
    ...(message.categories?.length ? { categories: message.categories.filter((c) => c !== '') } : {}),
    ...(isTemplate ? {} : { content: [{ type: 'text/plain', value: message.text }, ...(message.html !== undefined ? [{ type: 'text/html', value: message.html }] : [])] }),
    ...(message.customArgs && Object.keys(message.customArgs).length ? { custom_args: message.customArgs } : {}),
    ...(replyTo ? { reply_to: { email: replyTo } } : {}),
    ...(isTemplate ? { template_id: message.templateId } : {}),
  };
}

/** SendGrid's answer to one request. */
export interface SendGridResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The parsed JSON body, or its text when it is not JSON. */
  body: unknown;
}

/**
 * Builds a mailer once, at cold start: `POST {SENDGRID_BASE_URL}/v3/mail/send` with `fetch`, the whole exchange
 * bounded by SENDGRID_TIMEOUT_MS. (@sendgrid/mail did the same through axios; with form-data and mime-db it made
 * send-notification's bundle 826 KiB instead of 523, parsed at every cold start: BENCHMARKS.md.)
 */
export function createMailer(config: MailEnv): Mailer {
  const from = { email: config.MAIL_FROM, ...(config.MAIL_FROM_NAME ? { name: config.MAIL_FROM_NAME } : {}) };
  const endpoint = `${(config.SENDGRID_BASE_URL ?? 'https://api.sendgrid.com').replace(/\/*$/, '')}/v3/mail/send`;
  const headers = {
    Accept: 'application/json',
    'Content-Type': 'application/json',
    Authorization: `Bearer ${config.SENDGRID_API_KEY}`,
    'User-Agent': 'storefront-jobs',
  };

  return {
    async send(message) {
      const body = JSON.stringify(mailSendBody(from, config.MAIL_REPLY_TO, message));
      let answer: SendGridResponse;
      try {
        const res = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(config.SENDGRID_TIMEOUT_MS) });
        const text = await res.text();
        answer = { status: res.status, headers: Object.fromEntries(res.headers), body: parseJson(text) };
      } catch (err) {
        throw toNetworkError(err, config.SENDGRID_TIMEOUT_MS);
      }
      if (answer.status < 200 || answer.status > 299) throw toMailError(answer);
      return { messageId: answer.headers['x-message-id'] ?? '' };
    },
  };
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

interface SendGridErrorBody {
  errors?: Array<{ message?: unknown; field?: unknown }>;
}

/**
 * Maps SendGrid's non-2xx answer to our error model: 429 → RateLimitedError, 5xx/408 → RetryableError, 400/413 (and
 * other 4xx) → PermanentError, 401/403 → RetryableError('provider-auth'). Messages never hold a full email address.
 */
export function toMailError(answer: SendGridResponse, now: number = Date.now()): AppError {
  const { status, headers } = answer;
  // A 3xx fetch did not follow (no Location): not SendGrid's verdict on the message.
  if (status < 400) return new RetryableError('provider-unavailable', `SendGrid could not be reached (HTTP ${status})`);
  const details = sendGridIssues(answer.body);
  const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  const cause = new Error(maskText(`SendGrid ${status}${summary ? `: ${summary}` : ''}`));
  const opts = { cause, details };
  if (status === 429) {
    const reset = Number(headers['x-ratelimit-reset']);
    const retryAfterSeconds = Number.isFinite(reset) && reset > 0 ? Math.max(1, Math.ceil(reset - now / 1000)) : retryAfter(headers);
    return new RateLimitedError('provider-rate-limited', `SendGrid rate limit reached (429)${retryAfterSeconds ? `; retry in ${retryAfterSeconds}s` : ''}`, { ...opts, retryAfterSeconds });
  }
  if (status === 401 || status === 403) {
    const fix =
      status === 401
        ? 'the API key is invalid, expired or revoked: fix SENDGRID_API_KEY'
        : 'the sender is not verified or sending is blocked: fix MAIL_FROM or the key permissions in SendGrid';
    return new RetryableError('provider-auth', maskText(`SendGrid refused the request (${status}): ${fix}${summary ? ` (${summary})` : ''}`), opts);
  }
  if (status >= 500 || status === 408) {
    return new RetryableError('provider-unavailable', `SendGrid is unavailable (${status})`, { ...opts, retryAfterSeconds: retryAfter(headers) });
  }
  return new PermanentError('provider-rejected', maskText(`SendGrid rejected the message (${status})${summary ? `: ${summary}` : ''}`), opts);
}

/** A request that got no answer: the timeout (SENDGRID_TIMEOUT_MS) or a network failure, both retryable. */
function toNetworkError(err: unknown, timeoutMs: number): RetryableError {
  const e = err as { name?: unknown; cause?: { code?: unknown; name?: unknown } };
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  const timedOut = e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
  const message = timedOut ? `SendGrid did not answer within ${timeoutMs} ms` : `SendGrid could not be reached (${code ?? 'network error'})`;
  // fetch's error may hold the request (API key, recipient): keep only its code as the cause.
  return new RetryableError('provider-unavailable', message, { cause: new Error(timedOut ? 'timeout' : (code ?? 'network error')) });
}

function sendGridIssues(body: unknown): FieldIssue[] {
  const errors = (body as SendGridErrorBody | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((x) => ({
    path: typeof x.field === 'string' && x.field ? x.field : '(root)',
    message: maskText(typeof x.message === 'string' ? x.message : 'error'),
  }));
}

function retryAfter(headers: Record<string, string>): number | undefined {
  const s = Number(headers['retry-after']);
  return Number.isFinite(s) && s > 0 ? Math.ceil(s) : undefined;
}
