// shared/lazy.ts: clients made on first use, the same one after; deferred methods; the environment while making.
import { describe, expect, it } from 'vitest';
import { lazyObject, loadPackage, once, withEnv } from '../../shared/lazy.ts';

class Db {
  static made = 0;
  readonly name: string;
  constructor(name: string) {
    this.name = name;
    Db.made++;
  }
  collection(path: string) {
    return { path, db: this, doc: (id: string) => `${this.name}/${path}/${id}` };
  }
}

describe('lazyObject', () => {
  it('makes the object on first use only, once, with methods bound to it', () => {
    Db.made = 0;
    const db = lazyObject(() => new Db('a'));
    expect(Db.made).toBe(0);
    const { collection } = db;
    expect(collection('orders').db.name).toBe('a');
    expect(db.name).toBe('a');
    expect(db instanceof Db).toBe(true);
    expect(Db.made).toBe(1);
  });

  it('defers a named method called before first use, and makes the object when its result is used', () => {
    Db.made = 0;
    const db = lazyObject(() => new Db('b'), ['collection']);
    const orders = db.collection('orders');
    expect(Db.made).toBe(0);
    expect(orders.doc('1')).toBe('b/orders/1');
    expect(orders.path).toBe('orders');
    expect(Db.made).toBe(1);
  });

  it('propagates a failure to make the object to its user', () => {
    const db = lazyObject<Db>(() => {
      throw new Error('no library');
    });
    expect(() => db.name).toThrow('no library');
  });
});

describe('once', () => {
  it('calls create once', () => {
    let calls = 0;
    const get = once(() => ++calls);
    expect([get(), get()]).toEqual([1, 1]);
  });
});

describe('withEnv', () => {
  it('sets or unsets a variable for the call and restores it', () => {
    process.env.LAZY_TEST_VAR = 'outer';
    expect(withEnv('LAZY_TEST_VAR', undefined, () => process.env.LAZY_TEST_VAR)).toBeUndefined();
    expect(withEnv('LAZY_TEST_VAR', 'inner', () => process.env.LAZY_TEST_VAR)).toBe('inner');
    expect(process.env.LAZY_TEST_VAR).toBe('outer');
    delete process.env.LAZY_TEST_VAR;
    expect(withEnv('LAZY_TEST_VAR', 'x', () => 1)).toBe(1);
    expect('LAZY_TEST_VAR' in process.env).toBe(false);
  });
});

describe('loadPackage', () => {
  it('loads a dependency synchronously', () => {
    expect(typeof loadPackage<{ PassThroughClient: unknown }>('google-auth-library').PassThroughClient).toBe(
      'function',
    );
  });
});
