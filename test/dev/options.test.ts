// The dev runner's default ports: a newcomer's `npm run dev` must not ask for one port twice, however many
// functions there are (the functions' range must never reach another part's default port).
import { describe, expect, it } from 'vitest';
import { functionNames } from '../../esbuild.config.mjs';
import { functionSpecs, readQueues } from '../../local/dev/functions.ts';
import { parseOptions } from '../../local/dev/options.ts';
import { root } from './support.ts';

describe('npm run dev options', () => {
  it('gives every part and every function its own default port', () => {
    const o = parseOptions([], {});
    const fns = functionSpecs(functionNames(), readQueues(root), '127.0.0.1', o.functionsPort).map((s) => s.port);
    const all = [...fns, o.tasksPort, o.firestorePort, o.mailPort, o.consolePort];
    expect(new Set(all).size, `ports ${all.join(', ')}`).toBe(all.length);
    // Room for more functions before the next part's default.
    expect(Math.min(o.tasksPort, o.firestorePort) - o.functionsPort).toBeGreaterThanOrEqual(fns.length + 10);
  });

  it('takes the store time zone and REPORTS_* settings from the environment it is given', () => {
    const o = parseOptions([], { STORE_TIME_ZONE: 'Europe/Berlin', REPORTS_WINDOW: '01:00-04:00', OTHER: 'x' });
    expect(o.timeZone).toBe('Europe/Berlin');
    expect(o.reports).toEqual({ REPORTS_WINDOW: '01:00-04:00' });
    expect(() => parseOptions(['--time-zone', 'Mars/Base'], {})).toThrow(/--time-zone must be an IANA time zone/);
  });

  it('takes --allowed-hosts repeated or comma-separated (none by default), and names the flag for a bad one', () => {
    expect(parseOptions([], {}).allowedHosts).toEqual([]);
    expect(
      parseOptions(['--allowed-hosts', 'shop.test,.preview.test', '--allowed-hosts', '10.0.0.5'], {}).allowedHosts,
    ).toEqual(['shop.test', '.preview.test', '10.0.0.5']);
    expect(() => parseOptions(['--allowed-hosts', 'shop.test:8000'], {})).toThrow(/--allowed-hosts takes host names/);
  });
});
