/**
 * send-notification's logic: one email per idempotency key. Loads the stored order when the email needs it,
 * claims the delivery, renders (our templates or a SendGrid dynamic template), sends, and marks it sent.
 */
import type { DeadLetters } from '../../shared/dead-letters.ts';
import type { Deliveries } from '../../shared/deliveries.ts';
import { AppError, RetryableError } from '../../shared/errors.ts';
import type { GiveUp, TaskContext } from '../../shared/http.ts';
import { templateIdFor, type MailEnv, type Mailer, type MailMessage } from '../../shared/mail.ts';
import { recipientFor, renderNotification, templateDataFor } from '../../shared/render.ts';
import type { Orders } from '../../shared/orders.ts';
import type { Order } from '../../shared/schemas/events.ts';
import { storedOrderIdOf, type NotificationPayload } from '../../shared/schemas/notifications.ts';

export interface NotificationDeps {
  orders: Orders;
  deliveries: Deliveries;
  mailer: Mailer;
  mailConfig: MailEnv;
  /** How long a claim holds; longer than a SendGrid request may take. */
  leaseSeconds: number;
}

export function createNotificationHandler(d: NotificationDeps) {
  return async (payload: NotificationPayload, ctx: TaskContext): Promise<void> => {
    if (payload.kind === 'order-confirmation' && (await cancelledBeforeConfirmation(d, payload.order.id))) {
      ctx.log.info('Confirmation not sent: the order is already cancelled', {
        kind: payload.kind,
        eventId: payload.eventId,
        outcome: 'skipped',
      });
      return;
    }
    const order = await storedOrder(d, payload);
    const claim = await d.deliveries.claim(payload.idempotencyKey, {
      kind: payload.kind,
      task: ctx.task,
      leaseSeconds: d.leaseSeconds,
    });
    if (claim.state === 'sent') {
      ctx.log.info('Email already sent for this key; nothing to do', {
        kind: payload.kind,
        messageId: claim.messageId,
      });
      return;
    }
    if (claim.state === 'busy') {
      throw new RetryableError('not-ready', `Another attempt is sending this ${payload.kind} email`, {
        retryAfterSeconds: claim.retryAfterSeconds,
      });
    }
    let messageId: string;
    try {
      ({ messageId } = await d.mailer.send(message(d, payload, ctx, order)));
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('internal', String(err), { cause: err });
      await d.deliveries
        .markFailed(payload.idempotencyKey, { code: e.code, message: e.message })
        .catch((markErr: unknown) => ctx.log.warn('Could not record the failed send', { reason: String(markErr) }));
      throw err;
    }
    // SendGrid accepted: record it, trying hard, since a lost record could mean a second email after the lease.
    await retry(() => d.deliveries.markSent(payload.idempotencyKey, messageId), 3);
    ctx.log.info('Email sent', {
      kind: payload.kind,
      messageId,
      attempt: claim.attempts,
      eventId: 'eventId' in payload ? payload.eventId : undefined,
    });
  };
}

async function storedOrder(d: NotificationDeps, payload: NotificationPayload): Promise<Order | undefined> {
  const orderId = storedOrderIdOf(payload);
  if (!orderId) return undefined;
  const doc = await d.orders.getOrder(orderId);
  // Events can arrive out of order: wait (by retrying) for order.created, which carries the customer.
  if (!doc?.order)
    throw new RetryableError(
      'not-ready',
      `Order ${orderId} is not known yet; retrying until its order.created event arrives`,
    );
  return doc.order;
}

/**
 * The stored status decides (read at send time, so a cancellation that arrived after the enqueue counts): a
 * confirmation of an order already cancelled is not sent; the customer gets the cancellation email only. No stored
 * order (a redriven or hand-made task) sends as before.
 */
async function cancelledBeforeConfirmation(d: NotificationDeps, orderId: string): Promise<boolean> {
  return (await d.orders.getOrder(orderId))?.status === 'cancelled';
}

function message(
  d: NotificationDeps,
  payload: NotificationPayload,
  ctx: TaskContext,
  order: Order | undefined,
): MailMessage {
  const base = {
    to: recipientFor(payload, order),
    customArgs: {
      idempotencyKey: payload.idempotencyKey,
      ...('eventId' in payload ? { eventId: payload.eventId } : {}),
      ...(ctx.task ? { taskName: ctx.task } : {}),
      // The email's trace (SendGrid's event webhook returns custom args): its journey's logs in Cloud Logging.
      traceId: ctx.trace.traceId,
    },
    categories: [payload.kind],
  };
  const templateId = templateIdFor(d.mailConfig, payload.kind);
  if (templateId) return { ...base, templateId, dynamicTemplateData: { ...templateDataFor(payload, order) } };
  return { ...base, ...renderNotification(payload, order) };
}

async function retry<T>(fn: () => Promise<T>, times: number): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= times) throw err;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}

/** Writes the dead letter of a task given up (and releases its delivery claim). */
export function createGiveUp(d: { deliveries: Deliveries; deadLetters: DeadLetters }) {
  return async ({ ctx, body, error }: GiveUp): Promise<void> => {
    const key = (body as { idempotencyKey?: unknown } | null)?.idempotencyKey;
    const delivery = typeof key === 'string' ? await d.deliveries.get(key) : undefined;
    const kind = (body as { kind?: unknown } | null)?.kind;
    const letter = await d.deadLetters.write({
      queue: ctx.queue,
      task: ctx.task,
      ...(typeof kind === 'string' ? { kind } : {}),
      payload: body,
      attempts: ctx.retryCount + 1,
      error: { code: error.code, message: error.message },
      ...(delivery?.firstError ? { firstError: delivery.firstError } : {}),
      trace: { traceId: ctx.trace.traceId, sampled: ctx.trace.sampled },
    });
    ctx.log.warn('Dead letter written', { deadLetter: letter.id, code: error.code });
  };
}
