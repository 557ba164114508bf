import { describe, expect, it } from 'vitest';
import { createLogger, maskEmail, redact } from '../../shared/log.ts';

function capture(level?: 'DEBUG' | 'INFO' | 'WARNING') {
  const lines: string[] = [];
  const log = createLogger({
    labels: { function: 'send-notification' },
    write: (l) => lines.push(l),
    ...(level ? { level } : {}),
  });
  return { log, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), lines };
}

describe('log', () => {
  it('writes one JSON object per line with severity, message, labels and time', () => {
    const { log, lines, entries } = capture();
    log.child({ labels: { queue: 'notifications', task: 't1' } }).info('Task done', { outcome: 'done' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(entries()[0]).toMatchObject({
      severity: 'INFO',
      message: 'Task done',
      outcome: 'done',
      'logging.googleapis.com/labels': { function: 'send-notification', queue: 'notifications', task: 't1' },
    });
    expect(Date.parse(entries()[0]!.time as string)).not.toBeNaN();
  });

  it('drops entries below the level', () => {
    const { log, entries } = capture('WARNING');
    log.info('no');
    log.warn('yes');
    expect(entries().map((e) => e.severity)).toEqual(['WARNING']);
  });

  it('logs errors with their stack for Error Reporting, masking emails', () => {
    const { log, entries } = capture();
    const err = Object.assign(new Error('send to jane@example.com failed'), { code: 'provider-unavailable' });
    log.error('Send failed', err);
    const e = entries()[0]!;
    expect(e.severity).toBe('ERROR');
    expect(e.stack_trace).toMatch(/^Error: send to j\*\*\*@e\*\*\*\.com failed\n\s+at /);
    expect(e.error).toEqual({ name: 'Error', message: 'send to j***@e***.com failed', code: 'provider-unavailable' });
  });

  it('masks personal data in fields', () => {
    const { log, lines } = capture();
    log.info('order', {
      order: {
        customer: { email: 'jane.doe@example.com', name: 'Jane Doe' },
        shippingAddress: { line1: '1 Main St' },
        total: 1200,
      },
      note: 'reply to bob@shop.io',
    });
    expect(lines[0]).not.toMatch(/jane\.doe|Jane Doe|Main St|bob@shop/);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      order: { customer: { email: 'j***@e***.com', name: '[redacted]' }, shippingAddress: '[redacted]', total: 1200 },
      note: 'reply to b***@s***.io',
    });
  });

  it('masks emails', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j***@e***.com');
    // Unusual but valid addresses (fuzzing found '!@a.aa' in clear in an event type), and non-ASCII domains.
    expect(maskEmail('type !@a.aa here')).toBe('type !***@a***.aa here');
    expect(maskEmail('ü@bücher.de')).toBe('ü***@b***.de');
    expect(maskEmail('x+tag@sub.example.co.uk')).toBe('x***@s***.uk');
    // `/` is allowed in a local part too (fuzzing found '/@a.aa' in clear in an event type).
    expect(maskEmail('type /@a.aa here')).toBe('type /***@a***.aa here');
    expect(maskEmail('a/b@example.com')).toBe('a***@e***.com');
    // A package path in a stack is not an address.
    expect(maskEmail('at node_modules/@google-cloud/firestore/build/src/index.js:12')).toBe(
      'at node_modules/@google-cloud/firestore/build/src/index.js:12',
    );
    expect(redact(['x@y.org'])).toEqual(['x***@y***.org']);
  });
});
