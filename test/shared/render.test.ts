import { describe, expect, it } from 'vitest';
import { recipientFor, renderNotification, templateDataFor } from '../../shared/render.ts';
import { Order } from '../../shared/schemas/events.ts';
import { NotificationPayload } from '../../shared/schemas/notifications.ts';
import { formatMoney } from '../../shared/templates/format.ts';
import { anOrder } from '../support/mail-fixtures.ts';
import { aReport } from '../support/report.ts';

const NBSP = '\u00a0';

describe('formatMoney', () => {
  it('formats minor units with the currency’s own fraction digits', () => {
    expect(formatMoney(1234, 'EUR', 'de-DE')).toBe(`12,34${NBSP}€`);
    expect(formatMoney(1234, 'USD', 'en-US')).toBe('$12.34');
    expect(formatMoney(1234, 'JPY', 'ja-JP')).toBe('￥1,234');
    expect(formatMoney(1234, 'JPY', 'en-US')).toBe('¥1,234');
    expect(formatMoney(1234, 'KWD', 'en-US')).toMatch(/1\.234/);
    expect(formatMoney(5, 'EUR', 'en-US')).toBe('€0.05');
    expect(formatMoney(9_007_199_254_740_991, 'USD', 'en-US')).toBe('$90,071,992,547,409.91');
  });
});

describe('renderNotification', () => {
  const order = anOrder();
  const confirm = (o: Order): NotificationPayload => ({
    kind: 'order-confirmation',
    idempotencyKey: 'k1',
    eventId: 'e1',
    order: o,
  });
  const confirmation = NotificationPayload.parse(confirm(order));
  const shipping = NotificationPayload.parse({
    kind: 'shipping-update',
    idempotencyKey: 'k2',
    eventId: 'e2',
    shipment: {
      orderId: 'ord_1',
      carrier: 'DHL',
      trackingNumber: 'JD0001',
      trackingUrl: 'https://track.test/?n=JD0001&x=1',
      shippedAt: '2026-11-24T08:00:00+01:00',
    },
  });
  const cancelled = NotificationPayload.parse({
    kind: 'order-cancelled',
    idempotencyKey: 'k3',
    eventId: 'e3',
    cancellation: { orderId: 'ord_1', reason: 'Out of stock', cancelledAt: '2026-11-24T09:00:00+01:00' },
  });
  const report = NotificationPayload.parse({
    kind: 'daily-report',
    idempotencyKey: 'k4',
    to: ['owner@storefront.test'],
    locale: 'en-US',
    report: aReport(),
  });

  it('gives each kind its subject line', () => {
    expect(renderNotification(confirmation).subject).toBe('Your order #1001 is confirmed');
    expect(renderNotification(shipping, order).subject).toBe('Your order #1001 has shipped');
    expect(renderNotification(cancelled, order).subject).toBe('Your order #1001 was cancelled');
    expect(renderNotification(report).subject).toBe('Daily sales report for Monday, November 23, 2026');
  });

  it('formats an order confirmation in the order’s locale and currency, in text and HTML', () => {
    const email = renderNotification(confirmation);
    for (const part of [email.text, email.html]) {
      expect(part).toContain(`10,00${NBSP}€`); // 2 × Mug at 5,00 €
      expect(part).toContain(`16,34${NBSP}€`); // total: 1234 + 400
      expect(part).toContain('23. November 2026');
      expect(part).toContain('Deutschland');
    }
    expect(email.text).toMatch(/^Hi Jane Doe,/);
    expect(email.html).toContain('<html lang="de-DE">');
  });

  it('shows where the order goes, or that nothing ships when it has no address (digital goods)', () => {
    const withAddress = renderNotification(confirmation);
    expect(withAddress.text).toContain('It will be shipped to:');
    const { shippingAddress: _none, ...digital } = anOrder();
    const email = renderNotification(confirm(Order.parse(digital)));
    for (const part of [email.text, email.html]) {
      expect(part).toContain('Nothing in it needs shipping.');
      expect(part).not.toContain('shipped to');
      expect(part).not.toContain('Deutschland');
    }
  });

  it('leaves out a missing postal code without leaving a gap', () => {
    const hk = anOrder({
      shippingAddress: { name: 'Chan Tai Man', line1: '1 Queen’s Road', city: 'Central', country: 'HK' },
    });
    const email = renderNotification(confirm(Order.parse(hk)));
    expect(email.text).toMatch(/\n {2}Central\n/);
  });

  it('shows JPY without decimals', () => {
    const jpy = anOrder({
      currency: 'JPY',
      locale: 'ja-JP',
      shipping: 500,
      lines: [{ sku: 'A', name: 'Tea bowl', quantity: 1, unitPrice: 3200 }],
    });
    const email = renderNotification(confirm(Order.parse(jpy)));
    expect(email.text).toContain('￥3,700');
    expect(email.html).toContain('￥3,700');
    expect(email.text).not.toMatch(/￥[\d,]+\.\d/);
  });

  it('escapes customer data in HTML but keeps it readable in text', () => {
    const evil = anOrder({
      customer: { email: 'jane.doe@example.com', name: '<script>alert("x")</script>' },
      lines: [{ sku: 'X', name: 'Fish & <b>Chips</b>', quantity: 1, unitPrice: 100 }],
    });
    const email = renderNotification(confirm(evil));
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(email.html).toContain('Fish &amp; &lt;b&gt;Chips&lt;/b&gt;');
    expect(email.text).toContain('Hi <script>alert("x")</script>,');
    const shipped = renderNotification(shipping, evil);
    expect(shipped.html).toContain('href="https://track.test/?n=JD0001&amp;x=1"');
    expect(shipped.html).not.toContain('<script>');
  });

  it('renders shipping, cancellation and the daily report', () => {
    const shipped = renderNotification(shipping, order);
    expect(shipped.text).toContain('DHL');
    expect(shipped.text).toContain('JD0001');
    expect(shipped.text).toContain('24. November 2026');
    const cancel = renderNotification(cancelled, order);
    expect(cancel.text).toContain('Reason: Out of stock');
    expect(cancel.text).toContain(`16,34${NBSP}€`);
    const daily = renderNotification(report);
    expect(daily.text).toContain('¥123,456');
    expect(daily.text).toContain('€24.68');
    expect(daily.html).toContain('Monday, November 23, 2026');
  });

  it('refuses to render a shipping or cancellation email without the matching order', () => {
    expect(() => renderNotification(shipping)).toThrow(TypeError);
    expect(() => renderNotification(cancelled, anOrder({ id: 'other' }))).toThrow(/ord_1/);
  });
});

describe('templateDataFor and recipientFor', () => {
  it('gives plain formatted values for a dynamic template, with no HTML escaping', () => {
    const order = anOrder({ customer: { email: 'a@b.test', name: 'Tom & "Jerry"' } });
    const data = templateDataFor({ kind: 'order-confirmation', idempotencyKey: 'k', eventId: 'e', order });
    expect(data).toMatchObject({
      kind: 'order-confirmation',
      subject: 'Your order #1001 is confirmed',
      orderNumber: '1001',
      customerName: 'Tom & "Jerry"',
      total: `16,34${NBSP}€`,
      items: [
        { name: 'Mug', quantity: 2, unitPrice: `5,00${NBSP}€`, lineTotal: `10,00${NBSP}€` },
        { name: 'Green tea' },
      ],
    });
    expect(JSON.stringify(data)).not.toMatch(/&amp;|<\w/);
  });

  it('takes the recipient from the payload or the stored order', () => {
    const order = anOrder();
    expect(recipientFor({ kind: 'order-confirmation', idempotencyKey: 'k', eventId: 'e', order })).toEqual({
      email: 'jane.doe@example.com',
      name: 'Jane Doe',
    });
    expect(
      recipientFor(
        {
          kind: 'order-cancelled',
          idempotencyKey: 'k',
          eventId: 'e',
          cancellation: { orderId: 'ord_1', cancelledAt: '2026-11-24T09:00:00Z' },
        },
        order,
      ),
    ).toEqual({ email: 'jane.doe@example.com', name: 'Jane Doe' });
    expect(
      recipientFor({ kind: 'daily-report', idempotencyKey: 'k', to: ['o@s.test', 'p@s.test'], report: aReport() }),
    ).toEqual([{ email: 'o@s.test' }, { email: 'p@s.test' }]);
  });
});
