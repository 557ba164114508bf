/**
 * Loading on first use instead of at module load: google-auth-library (credentials of the REST calls,
 * shared/google-rest.ts) loads on the first call that needs credentials, not at cold start (BENCHMARKS.md).
 * Settings are still validated at start, so a bad configuration still fails fast.
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
