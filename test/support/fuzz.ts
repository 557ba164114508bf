/**
 * Shared pieces of the property tests (fast-check): the number of runs, and mutations of valid values. Runs are
 * bounded so `npm test` stays fast; `FUZZ_RUNS=5000 npx vitest run test/functions/fuzz…` asks for a longer run.
 */
import fc from 'fast-check';

/** Runs per property. @default 100 */
export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS) || 100);

type Path = (string | number)[];

/** Every path of `v`, from the root to each leaf. */
export function leafPaths(v: unknown, prefix: Path = []): Path[] {
  if (v === null || typeof v !== 'object') return [prefix];
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  return [prefix, ...entries.flatMap(([k, x]) => leafPaths(x, [...prefix, k]))];
}

/** A copy of `v` with the value at `path` replaced. */
export function setAt<T>(v: T, path: Path, value: unknown): T {
  if (path.length === 0) return value as T;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string | number, unknown>;
  copy[path[0]!] = setAt(copy[path[0]!], path.slice(1), value);
  return copy as T;
}

/** A copy of `v` without the key at `path`. */
export function deleteAt<T>(v: T, path: Path): T {
  if (path.length === 0) return v;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string | number, unknown>;
  if (path.length === 1) delete copy[path[0]!];
  else copy[path[0]!] = deleteAt(copy[path[0]!], path.slice(1));
  return copy as T;
}

/** Values a hostile client may put in a field: other types, out-of-range numbers, odd strings, deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    '',
    ' ',
    'Germany',
    'order.refunded',
    '__x__',
    '..',
  ),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', minLength: 200, maxLength: 2000 }),
  fc.emailAddress(),
  fc.integer({ min: 1, max: 2000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown),
  fc
    .integer({ min: 1, max: 200 })
    .map((depth) => JSON.parse('{"a":'.repeat(depth) + '{}' + '}'.repeat(depth)) as unknown),
);

/** A mutation of `valid`: one field replaced by a hostile value, or removed, or a key added. */
export function mutationOf<T>(valid: T): fc.Arbitrary<{ value: T; path: Path; op: 'set' | 'delete' | 'add' }> {
  const paths = leafPaths(valid);
  const objects = paths.filter((p) => isObject(get(valid, p)));
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...paths), hostileValue)
      .map(([path, x]) => ({ value: setAt(valid, path, x), path, op: 'set' as const })),
    fc
      .constantFrom(...paths.filter((p) => p.length > 0))
      .map((path) => ({ value: deleteAt(valid, path), path, op: 'delete' as const })),
    fc
      .tuple(fc.constantFrom(...objects), fc.string({ maxLength: 20 }), hostileValue)
      .map(([path, k, x]) => ({ value: setAt(valid, [...path, k], x), path: [...path, k], op: 'add' as const })),
  );
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
const get = (v: unknown, path: Path): unknown =>
  path.reduce<unknown>((x, k) => (x as Record<string | number, unknown> | undefined)?.[k], v);
