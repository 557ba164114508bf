// shared/lazy.ts: a value made on first use, the same one after; a package loaded on demand.
import { describe, expect, it } from 'vitest';
import { loadPackage, once } from '../../shared/lazy.ts';

describe('once', () => {
  it('makes the value on the first call only', () => {
    let made = 0;
    const get = once(() => ({ n: ++made }));
    expect(made).toBe(0);
    const a = get();
    expect(get()).toBe(a);
    expect(made).toBe(1);
  });

  it('keeps a rejected promise rejected', async () => {
    let calls = 0;
    const get = once(() => {
      calls++;
      return Promise.reject(new Error('missing'));
    });
    await expect(get()).rejects.toThrow('missing');
    await expect(get()).rejects.toThrow('missing');
    expect(calls).toBe(1);
  });
});

describe('loadPackage', () => {
  it('loads a dependency synchronously', () => {
    expect(typeof loadPackage<{ PassThroughClient: unknown }>('google-auth-library').PassThroughClient).toBe('function');
  });
});
