/** Pure parts: proto3 JSON durations and timestamps, the backoff formula and stop rule, the clock's timers. */
import { expect, it, onTestFinished, vi } from 'vitest';
import { createClock } from '../../local/tasks-emulator/clock.ts';
import {
  formatDuration,
  formatTimestamp,
  parseDuration,
  parseTimestamp,
} from '../../local/tasks-emulator/proto-json.ts';
import { applyQueueInput, burstSize, defaultQueue, maskPaths } from '../../local/tasks-emulator/queue-config.ts';
import { backoffMs, shouldStop } from '../../local/tasks-emulator/retry.ts';

it('reads and writes proto3 JSON durations and timestamps', () => {
  expect(['10s', '0.100s', '1.5s', '0.000001s'].map((d) => formatDuration(parseDuration(d, 'd')))).toEqual([
    '10s',
    '0.100s',
    '1.500s',
    '0.000001s',
  ]);
  expect(() => parseDuration('10', 'd')).toThrow(/Illegal duration/);
  expect(parseTimestamp('2026-11-24T04:06:08.123456Z', 't')).toBe(Date.UTC(2026, 10, 24, 4, 6, 8, 123) + 0.456);
  expect(parseTimestamp('2026-11-24T05:06:08+01:00', 't')).toBe(Date.UTC(2026, 10, 24, 4, 6, 8));
  expect(formatTimestamp(Date.UTC(2026, 10, 24, 4, 6, 8, 123) + 0.456)).toBe('2026-11-24T04:06:08.123456Z');
  expect(formatTimestamp(Date.UTC(2026, 10, 24, 4, 6, 8))).toBe('2026-11-24T04:06:08Z');
});

it('backs off like the documented example and defaults, and stops only when both limits are met', () => {
  const c = { maxAttempts: 100, maxRetryDurationMs: 0, minBackoffMs: 10_000, maxBackoffMs: 300_000, maxDoublings: 3 };
  expect([1, 2, 3, 4, 5, 6, 7, 8].map((k) => backoffMs(k, c) / 1000)).toEqual([10, 20, 40, 80, 160, 240, 300, 300]);
  const d = { maxAttempts: 100, maxRetryDurationMs: 0, minBackoffMs: 100, maxBackoffMs: 3_600_000, maxDoublings: 16 };
  expect([1, 16, 17].map((k) => backoffMs(k, d) / 1000)).toEqual([0.1, 3276.8, 3600]);
  const both = { ...d, maxAttempts: 3, maxRetryDurationMs: 60_000 };
  expect([shouldStop(3, 59_000, both), shouldStop(2, 61_000, both), shouldStop(3, 60_000, both)]).toEqual([
    false,
    false,
    true,
  ]);
  expect(shouldStop(1000, 1e12, { ...d, maxAttempts: -1 })).toBe(false);
  expect(shouldStop(1, 61_000, { ...d, maxAttempts: -1, maxRetryDurationMs: 60_000 })).toBe(true);
  expect([0.5, 1, 10, 50, 500].map(burstSize)).toEqual([1, 1, 10, 50, 100]);
});

it('fires clock timers on advance, ignores cancelled ones, and does not spin on timers weeks ahead', async () => {
  vi.useFakeTimers(); // real time is stubbed: moving it 20 ms shows that nothing fires early
  onTestFinished(() => void vi.useRealTimers());
  const clock = createClock();
  const fired: string[] = [];
  clock.setTimer(clock.now() + 30 * 86_400_000, () => fired.push('month'));
  const cancel = clock.setTimer(clock.now() + 1000, () => fired.push('cancelled'));
  clock.setTimer(clock.now() + 2000, () => fired.push('2s'));
  for (let i = 0; i < 3000; i++) clock.setTimer(clock.now() + 5000, () => {})(); // compaction path
  cancel();
  await vi.advanceTimersByTimeAsync(20);
  expect(fired).toEqual([]);
  clock.advance(2000);
  expect(fired).toEqual(['2s']);
  clock.advance(30 * 86_400_000);
  expect(fired).toEqual(['2s', 'month']);
  clock.stop();
});

it('treats 0 in scalar queue fields as unset (proto3 has no presence for them), but keeps a 0s duration', () => {
  const q = applyQueueInput(
    defaultQueue('projects/p/locations/l/queues/q'),
    {
      rateLimits: { maxDispatchesPerSecond: 0, maxConcurrentDispatches: '0' },
      retryConfig: { maxAttempts: 0, maxDoublings: 0, minBackoff: '0s' },
    },
    maskPaths(undefined),
  );
  expect(q.rateLimits).toEqual({ maxDispatchesPerSecond: 500, maxConcurrentDispatches: 1000 });
  expect(q.retryConfig).toMatchObject({ maxAttempts: 100, maxDoublings: 16, minBackoffMs: 0 });
  expect(() => maskPaths('retryConfig.nope')).toThrow(/Invalid field mask path/);
});
