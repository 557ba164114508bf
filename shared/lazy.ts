/**
 * The client libraries (@google-cloud/firestore, @google-cloud/tasks, google-gax underneath, @sendgrid/mail and
 * google-auth-library) loaded on first use instead of at module load: loading them would be most of a function's
 * cold start, before it could answer anything (BENCHMARKS.md). Settings are still validated at start, so a bad
 * configuration still fails fast; only the library load and the client construction wait for the first request that
 * needs them.
 * Packages loaded with `loadPackage` stay external: esbuild.config.mjs adds every EXTERNAL package whose name the
 * bundle holds to the deploy folder's dependencies.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/** Loads a CommonJS package synchronously, resolved from this module (the bundle's folder once deployed). */
export function loadPackage<T>(name: string): T {
  return requireHere(name) as T;
}

/** `create()` on the first call, the same value after (a rejected promise stays rejected: a library that failed to load stays missing). */
export function once<T>(create: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = create();
      made = true;
    }
    return value;
  };
}

/**
 * An object that stands for `create()`'s result and makes it on first use, for clients with a synchronous API such
 * as Firestore's. Methods are bound to the real client. Calling a method named in `deferred` before that (e.g.
 * `db.collection('orders')` when a document module is built at cold start) returns another such object, for the
 * method's result, made on its own first use.
 */
export function lazyObject<T extends object>(create: () => T, deferred: readonly string[] = []): T {
  let made: T | undefined;
  const real = once(() => (made = create()));
  return new Proxy({} as T, {
    get(_, prop) {
      if (!made && typeof prop === 'string' && deferred.includes(prop)) {
        return (...args: unknown[]) =>
          lazyObject(() => (Reflect.get(real(), prop) as (...a: unknown[]) => object).apply(real(), args));
      }
      const target = real();
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    has: (_, prop) => Reflect.has(real(), prop),
    set: (_, prop, value) => Reflect.set(real(), prop, value),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}

/** `fn()` with `process.env[name]` set to `value` (or unset) for its duration (synchronous). */
export function withEnv<T>(name: string, value: string | undefined, fn: () => T): T {
  const saved = process.env[name];
  const put = (v: string | undefined) => (v === undefined ? delete process.env[name] : (process.env[name] = v));
  put(value);
  try {
    return fn();
  } finally {
    put(saved);
  }
}
