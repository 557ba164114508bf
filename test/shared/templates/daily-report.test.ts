import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailSink, type MailSink } from '../../../local/mail-sink/server.ts';
import { createMailer } from '../../../shared/mail.ts';
import { recipientFor, renderNotification, templateDataFor } from '../../../shared/render.ts';
import { NotificationPayload } from '../../../shared/schemas/notifications.ts';
import type { Report } from '../../../shared/schemas/report.ts';
import { mailConfig } from '../../support/mail-fixtures.ts';
import { aReport, figures } from '../../support/report.ts';

const NBSP = '\u00a0';
const payload = (report: Report, locale = 'en-US', to = ['owner@storefront.test']) =>
  NotificationPayload.parse({ kind: 'daily-report', idempotencyKey: `daily-report:${report.day}`, to, locale, report });

describe('daily report email', () => {
  const email = renderNotification(payload(aReport()));

  it('names the day in the subject', () => {
    expect(email.subject).toBe('Daily sales report for Monday, November 23, 2026');
    expect(renderNotification(payload(aReport(), 'de-DE')).subject).toBe(
      'Daily sales report for Montag, 23. November 2026',
    );
  });

  it('shows each currency as a table, with locale-correct money (no decimals for yen)', () => {
    expect(email.text).toContain('== EUR ==');
    expect(email.text).toMatch(/ {2}Gross sales {10,}€24\.68\n/);
    expect(email.text).toMatch(/Gross sales +¥123,456\n/);
    expect(email.text).toMatch(/Average order value +¥41,152\n/);
    expect(email.text).toMatch(/Cancelled value +¥5,000\n/);
    expect(email.html).toContain(
      '<td style="padding:4px 8px;border-bottom:1px solid #eeeeee">Gross sales</td><td style="padding:4px 8px;border-bottom:1px solid #eeeeee;text-align:right;white-space:nowrap">¥123,456</td>',
    );
    const de = renderNotification(payload(aReport(), 'de-DE'));
    expect(de.text).toMatch(new RegExp(`Gross sales +24,68${NBSP}€\\n`));
    expect(de.html).toContain('<html lang="de-DE">');
    // EUR before JPY whatever the stored key order.
    expect(email.text.indexOf('== EUR ==')).toBeLessThan(email.text.indexOf('== JPY =='));
  });

  it('lists the top products by revenue and by units', () => {
    expect(email.text).toContain('Top products by revenue (JPY)');
    expect(email.text).toContain(
      [
        '  #  Product  SKU    Units   Revenue',
        '  1  Sencha   TEA-1      4  ¥100,000',
        '  2  Cup      CUP-2      1   ¥12,000',
      ].join('\n'),
    );
    expect(email.html).toContain('Top products by units (EUR)');
    expect(email.html).toContain('>Mug<br><span style="color:#666666;font-size:11px">MUG-1</span>');
  });

  it('draws orders per hour as a table-based bar chart (no SVG, no images, no classes, no style sheet)', () => {
    // 09:00 is the busiest hour (4 orders, a full bar); 20:00 has 2 (half); empty hours have no bar.
    expect(email.html).toMatch(
      />09:00<\/td><td style="padding:1px 0"><table[^>]*><tr><td width="100%" bgcolor="#3b6fd4"[^>]*>&nbsp;<\/td><\/tr><\/table><\/td><td[^>]*>4<\/td>/,
    );
    expect(email.html).toMatch(
      />20:00<\/td><td style="padding:1px 0"><table[^>]*><tr><td width="50%" bgcolor="#3b6fd4"[^>]*>&nbsp;<\/td><td width="50%"/,
    );
    expect(email.html).toMatch(/>03:00<\/td><td style="padding:1px 0">&nbsp;<\/td><td[^>]*>0<\/td>/);
    expect(email.html).not.toMatch(/<svg|<img|<style|class=/i);
    expect(email.text).toContain(`  09:00 ${'#'.repeat(40)} 4\n`);
    expect(email.text).toContain(`  20:00 ${'#'.repeat(20)}${' '.repeat(20)} 2\n`);
    expect(email.text).toContain(`  03:00 ${' '.repeat(40)} 0\n`);
  });

  it('writes hourly counts in the locale (1,234 / 1.234)', () => {
    const report = aReport({
      ordersByHour: aReport().ordersByHour.map((h, i) => ({ ...h, orders: i === 5 ? 1234 : i })),
    });
    expect(renderNotification(payload(report)).text).toContain(
      `  05:00 ${'#'.repeat(40)} 1,234\n  06:00 ${' '.repeat(40)}     6\n`,
    );
    expect(renderNotification(payload(report, 'de-DE')).html).toMatch(/>1\.234<\/td><\/tr>/);
  });

  it('labels the hours of a daylight-saving day with their offsets (02:00 twice in autumn)', () => {
    const starts = [
      '2026-10-25T00:00:00+02:00',
      '2026-10-25T01:00:00+02:00',
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:00:00+01:00',
      ...Array.from({ length: 21 }, (_, i) => `2026-10-25T${String(i + 3).padStart(2, '0')}:00:00+01:00`),
    ];
    const report = aReport({
      day: '2026-10-25',
      timeZone: 'Europe/Berlin',
      hours: 25,
      ordersByHour: starts.map((start) => ({ start, orders: 1 })),
    });
    const data = templateDataFor(payload(report));
    expect(data.kind === 'daily-report' && data.hours.map((h) => h.label).slice(1, 5)).toEqual([
      '01:00 +02:00',
      '02:00 +02:00',
      '02:00 +01:00',
      '03:00 +01:00',
    ]);
    expect(renderNotification(payload(report)).text).toContain('Sales on Sunday, October 25, 2026 (Europe/Berlin)');
  });

  it('escapes merchant data in the HTML and keeps it readable in the text', () => {
    const evil = '<script>alert(1)</script> Salt & "Pepper"';
    const report = aReport({
      currencies: {
        EUR: figures({ orders: 1, gross: 100, topByRevenue: [{ sku: 'X<1>', name: evil, units: 1, revenue: 100 }] }),
      },
    });
    const out = renderNotification(payload(report));
    expect(out.html).not.toContain('<script>');
    expect(out.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Salt &amp; &quot;Pepper&quot;');
    expect(out.html).toContain('X&lt;1&gt;');
    expect(out.text).toContain(evil);
  });

  it('says so on a day without orders', () => {
    const out = renderNotification(
      payload(
        aReport({
          orderCount: 0,
          currencies: {},
          ordersByHour: aReport().ordersByHour.map((h) => ({ ...h, orders: 0 })),
        }),
      ),
    );
    expect(out.text).toContain('No orders that day.');
    expect(out.html).toContain('<p>No orders that day.</p>');
  });

  it('rejects a payload without recipients, or with more than 50', () => {
    expect(NotificationPayload.safeParse({ ...payload(aReport()), to: [] }).error?.issues[0]?.path).toEqual(['to']);
    expect(
      NotificationPayload.safeParse({ ...payload(aReport()), to: Array.from({ length: 51 }, (_, i) => `o${i}@s.test`) })
        .success,
    ).toBe(false);
  });

  afterAll(() => {
    // An example rendering to open in a browser or mail client (not an assertion); .local/ is git-ignored.
    mkdirSync('.local/test-artifacts', { recursive: true });
    writeFileSync('.local/test-artifacts/daily-report.html', email.html);
    writeFileSync('.local/test-artifacts/daily-report.txt', email.text);
  });
});

describe('daily report email through the mailer', () => {
  let sink: MailSink;
  beforeAll(async () => {
    sink = await startMailSink({ apiKey: 'SG.test-key' });
  });
  afterAll(() => sink.close());

  it('reaches every recipient of the list in one email', async () => {
    const p = payload(aReport(), 'en-US', ['owner@storefront.test', 'ops@storefront.test']);
    await createMailer(mailConfig(sink.url)).send({ to: recipientFor(p), ...renderNotification(p) });
    const [m] = sink.messages();
    expect(sink.messages()).toHaveLength(1);
    expect(m!.request.personalizations).toEqual([
      { to: [{ email: 'owner@storefront.test' }, { email: 'ops@storefront.test' }] },
    ]);
    expect(m!.request.subject).toBe('Daily sales report for Monday, November 23, 2026');
  });
});
