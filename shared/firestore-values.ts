/**
 * Firestore values in the REST API's JSON (https://cloud.google.com/firestore/docs/reference/rest/v1/Value) to and
 * from JavaScript, the way @google-cloud/firestore converts them, so documents written here read the same through
 * that library and back: safe integers → `integerValue`, other numbers → `doubleValue`, `Date` and `Timestamp` →
 * `timestampValue` (read back as `Timestamp`), objects → maps, `undefined` properties skipped
 * (`ignoreUndefinedProperties`). Also field paths (`a.b`, with backquotes where a name needs them) for update masks,
 * projections and filters.
 */

/** A point in time with nanosecond precision, as Firestore stores it (same fields and methods as the library's). */
export class Timestamp {
  // Named as in @google-cloud/firestore, so both serialize (and compare in tests) alike.
  private readonly _seconds: number;
  private readonly _nanoseconds: number;
  constructor(seconds: number, nanoseconds: number) {
    if (!Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds > 999_999_999) throw new RangeError(`Timestamp nanoseconds out of range: ${nanoseconds}`);
    this._seconds = seconds;
    this._nanoseconds = nanoseconds;
  }
  static fromMillis(ms: number): Timestamp {
    const seconds = Math.floor(ms / 1000);
    return new Timestamp(seconds, Math.floor((ms - seconds * 1000) * 1e6));
  }
  static fromDate(d: Date): Timestamp {
    return Timestamp.fromMillis(d.getTime());
  }
  static now(): Timestamp {
    return Timestamp.fromMillis(Date.now());
  }
  get seconds(): number {
    return this._seconds;
  }
  get nanoseconds(): number {
    return this._nanoseconds;
  }
  toMillis(): number {
    return this._seconds * 1000 + Math.floor(this._nanoseconds / 1e6);
  }
  toDate(): Date {
    return new Date(this.toMillis());
  }
  isEqual(other: { seconds: number; nanoseconds: number }): boolean {
    return this._seconds === other.seconds && this._nanoseconds === other.nanoseconds;
  }
  /** RFC 3339 with nanoseconds, as the REST API writes it. */
  toRfc3339(): string {
    return `${new Date(this._seconds * 1000).toISOString().slice(0, 19)}.${String(this._nanoseconds).padStart(9, '0')}Z`;
  }
  static fromRfc3339(s: string): Timestamp {
    const m = /^(.+T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(s);
    if (!m) return Timestamp.fromMillis(Date.parse(s));
    return new Timestamp(Date.parse(`${m[1]}${m[3]}`) / 1000, Number((m[2] ?? '').padEnd(9, '0')));
  }
}

/** Firestore's JSON of one value. */
export type Value = Record<string, unknown>;

/** Marks a document reference (shared/firestore-rest.ts), stored as a `referenceValue` of its resource name. */
export const REFERENCE = Symbol.for('storefront-jobs.firestore-reference');

/** A document reference inside a value: marked, so a plain object with a `resourceName` field stays a map. */
export interface Reference {
  readonly [REFERENCE]: true;
  readonly resourceName: string;
}

const isReference = (v: object): v is Reference => (v as Partial<Reference>)[REFERENCE] === true;

const isTimestampLike = (v: object): v is { seconds: number; nanoseconds: number; toMillis(): number } =>
  typeof (v as { toMillis?: unknown }).toMillis === 'function' && typeof (v as { nanoseconds?: unknown }).nanoseconds === 'number';

/** A JavaScript value as Firestore JSON. Throws a TypeError for what Firestore cannot store (a function, a symbol). */
export function encode(v: unknown): Value {
  if (v === null) return { nullValue: null };
  switch (typeof v) {
    case 'boolean':
      return { booleanValue: v };
    case 'string':
      return { stringValue: v };
    case 'bigint':
      return { integerValue: v.toString() };
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) return { integerValue: String(v) };
      return { doubleValue: Number.isFinite(v) ? v : String(v) };
    case 'object':
      if (v instanceof Date) return { timestampValue: Timestamp.fromDate(v).toRfc3339() };
      if (v instanceof Timestamp) return { timestampValue: v.toRfc3339() };
      if (isTimestampLike(v)) return { timestampValue: new Timestamp(v.seconds, v.nanoseconds).toRfc3339() };
      if (Array.isArray(v)) return { arrayValue: { values: v.map(encode) } };
      if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v).toString('base64') };
      if (isReference(v)) return { referenceValue: v.resourceName };
      return { mapValue: { fields: encodeFields(v as Record<string, unknown>) } };
    default:
      throw new TypeError(`Firestore cannot store a value of type ${typeof v}`);
  }
}

/** An object's properties as Firestore fields, `undefined` ones left out. */
export function encodeFields(o: Record<string, unknown>): Record<string, Value> {
  const fields: Record<string, Value> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) fields[k] = encode(v);
  return fields;
}

/** Firestore JSON as a JavaScript value. `reference` turns a `referenceValue` into whatever the caller uses for it. */
export function decode(v: Value, reference: (name: string) => unknown = (n) => n): unknown {
  if ('nullValue' in v) return null;
  if ('booleanValue' in v) return v.booleanValue;
  if ('stringValue' in v) return v.stringValue;
  if ('integerValue' in v) return Number(v.integerValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('timestampValue' in v) return Timestamp.fromRfc3339(v.timestampValue as string);
  if ('mapValue' in v) return decodeFields((v.mapValue as { fields?: Record<string, Value> }).fields, reference);
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Value[] }).values ?? []).map((x) => decode(x, reference));
  if ('bytesValue' in v) return Buffer.from(v.bytesValue as string, 'base64');
  if ('referenceValue' in v) return reference(v.referenceValue as string);
  if ('geoPointValue' in v) return v.geoPointValue;
  throw new TypeError(`Unknown Firestore value: ${JSON.stringify(v).slice(0, 100)}`);
}

/** Firestore fields as an object. */
export function decodeFields(fields: Record<string, Value> | undefined, reference?: (name: string) => unknown): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields ?? {})) o[k] = decode(v, reference);
  return o;
}

/** One segment of a field path, backquoted unless it is a plain identifier. */
const segment = (s: string): string => (/^[_a-zA-Z][_a-zA-Z0-9]*$/.test(s) ? s : `\`${s.replace(/[\\`]/g, (c) => `\\${c}`)}\``);

/** A field path from its segments. */
export const fieldPath = (segments: readonly string[]): string => segments.map(segment).join('.');

/** A dotted path as the library reads `update()` keys and `select()`/`where()` fields: `order.createdAt`. */
export const dottedPath = (path: string): string => (path === '__name__' ? path : fieldPath(path.split('.')));

/** The field paths a merge writes: every leaf of `o` (a non-empty map is descended, anything else is a leaf). */
export function leafPaths(o: Record<string, unknown>, prefix: readonly string[] = []): string[] {
  const paths: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    const here = [...prefix, k];
    const plain = v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array) && !isTimestampLike(v) && !isReference(v);
    if (plain && Object.keys(v).some((x) => (v as Record<string, unknown>)[x] !== undefined)) paths.push(...leafPaths(v as Record<string, unknown>, here));
    else paths.push(fieldPath(here));
  }
  return paths;
}

/** The value at a dotted path of decoded data (`doc.get('order.createdAt')`). */
export function valueAt(data: Record<string, unknown> | undefined, path: string): unknown {
  let v: unknown = data;
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** `update()` data with dotted keys (`{'a.b': 1}`) as nested fields, and the mask of those keys. */
export function updateFields(data: Record<string, unknown>): { fields: Record<string, Value>; mask: string[] } {
  const nested: Record<string, unknown> = {};
  const mask: string[] = [];
  for (const [key, v] of Object.entries(data)) {
    if (v === undefined) continue;
    const parts = key.split('.');
    let at = nested;
    for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
    at[parts.at(-1)!] = v;
    mask.push(fieldPath(parts));
  }
  return { fields: encodeFields(nested), mask };
}
