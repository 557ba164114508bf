// Trace context: what a request's headers continue, what is ignored (and a new trace started), and the traceparent
// a task carries.
import { describe, expect, it } from 'vitest';
import { childTraceparent, parseTraceparent, requestTrace, traceLogFields, withTraceId } from '../../shared/trace.ts';

const h = (m: Record<string, string>) => (n: string) => m[n];
const TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('trace context', () => {
  it('continues traceparent first, then X-Cloud-Trace-Context', () => {
    const both = {
      traceparent: `00-${TRACE}-b7ad6b7169203331-01`,
      'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=0',
    };
    expect(requestTrace(h(both), 'shop')).toEqual({
      project: 'shop',
      traceId: TRACE,
      spanId: 'b7ad6b7169203331',
      sampled: true,
    });
    expect(traceLogFields(requestTrace(h(both), 'shop'))).toEqual({
      'logging.googleapis.com/trace': `projects/shop/traces/${TRACE}`,
      'logging.googleapis.com/spanId': 'b7ad6b7169203331',
      'logging.googleapis.com/trace_sampled': true,
    });
    expect(
      requestTrace(h({ 'x-cloud-trace-context': '105445AA7843BC8BF206B12000100000/18446744073709551615;o=1' }), 'shop'),
    ).toEqual({
      project: 'shop',
      traceId: '105445aa7843bc8bf206b12000100000',
      spanId: 'ffffffffffffffff',
      sampled: true,
    });
    // A later version may add fields after the flags.
    expect(parseTraceparent(`01-${TRACE}-b7ad6b7169203331-00-extra`, 'p')?.traceId).toBe(TRACE);
  });

  const hostile: [string, Record<string, string>][] = [
    ['an all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-b7ad6b7169203331-01` }],
    ['an all-zero span id', { traceparent: `00-${TRACE}-0000000000000000-01` }],
    ['version ff', { traceparent: `ff-${TRACE}-b7ad6b7169203331-01` }],
    ['uppercase hex', { traceparent: `00-${TRACE.toUpperCase()}-b7ad6b7169203331-01` }],
    ['extra fields on version 00', { traceparent: `00-${TRACE}-b7ad6b7169203331-01-x` }],
    ['a short trace id', { traceparent: `00-${TRACE.slice(1)}-b7ad6b7169203331-01` }],
    ['a huge value', { traceparent: `00-${TRACE}-b7ad6b7169203331-01${'-a'.repeat(10_000)}` }],
    ['garbage', { traceparent: '../../etc/passwd', 'x-cloud-trace-context': '<script>' }],
    ['a span id beyond 64 bits', { 'x-cloud-trace-context': `${TRACE}/18446744073709551616;o=1` }],
    ['a huge decimal span id', { 'x-cloud-trace-context': `${TRACE}/${'9'.repeat(5000)};o=1` }],
    ['a zero span id', { 'x-cloud-trace-context': `${TRACE}/0;o=1` }],
    ['an all-zero legacy trace id', { 'x-cloud-trace-context': `${'0'.repeat(32)}/5;o=1` }],
  ];
  it.each(hostile)('ignores %s and starts a new trace', (_name, headers) => {
    const t = requestTrace(h(headers), 'shop');
    expect(t.traceId).toMatch(/^[\da-f]{32}$/);
    expect(t.traceId).not.toBe(TRACE);
    expect(t.traceId).not.toBe('0'.repeat(32));
    expect(t.spanId).toMatch(/^[\da-f]{16}$/);
    expect(t.sampled).toBe(false);
  });

  it('starts a different trace each time', () => {
    expect(requestTrace(h({}), 'p').traceId).not.toBe(requestTrace(h({}), 'p').traceId);
  });

  it("gives a task the trace's id with a new span id and the sampled flag", () => {
    const t = requestTrace(h({ traceparent: `00-${TRACE}-b7ad6b7169203331-01` }), 'p');
    const child = childTraceparent(t);
    expect(child).toMatch(new RegExp(`^00-${TRACE}-[\\da-f]{16}-01$`));
    expect(child).not.toContain('b7ad6b7169203331');
    expect(parseTraceparent(child, 'p')?.traceId).toBe(TRACE);
  });

  it('moves a hop into another trace only with a valid id', () => {
    const t = requestTrace(h({}), 'p');
    expect(withTraceId(t, TRACE, true)).toEqual({ ...t, traceId: TRACE, sampled: true });
    expect(withTraceId(t, 'nope')).toBe(t);
  });
});
