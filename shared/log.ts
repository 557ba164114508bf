/**
 * Structured logging for Cloud Logging: one JSON object per line on stdout, with `severity`, `message`, trace
 * correlation and labels. Customer personal data is masked before anything is written.
 */

/** Cloud Logging severities we write, lowest first (also the values of `LOG_LEVEL`). */
export const SEVERITIES = ['DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];
const RANK = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;

type Fields = Record<string, unknown>;

/** A logger whose entries all carry the same labels and trace fields. */
export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  notice(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  /** Logs at ERROR; an `err` is written with its stack (`stack_trace`) so Error Reporting picks it up. */
  error(message: string, err?: unknown, fields?: Fields): void;
  critical(message: string, err?: unknown, fields?: Fields): void;
  /** A logger that adds `labels` (function, queue, task…) and top-level fields (trace) to every entry. */
  child(extra: { labels?: Record<string, string | undefined>; fields?: Fields }): Logger;
}

export interface LoggerOptions {
  /** Labels on every entry, e.g. `{ function: 'send-notification' }`. */
  labels?: Record<string, string | undefined>;
  /** Lowest severity written. @default INFO */
  level?: Severity;
  /** Where each line goes. @default process.stdout */
  write?: (line: string) => void;
}

/** Creates the root logger of a function; build it once at cold start. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stdout.write(line + '\n'));
  return make(RANK[options.level ?? 'INFO'], write, cleanLabels(options.labels ?? {}), {});
}

function make(min: number, write: (line: string) => void, labels: Record<string, string>, base: Fields): Logger {
  const emit = (severity: Severity, message: string, fields: Fields | undefined, err?: unknown): void => {
    if (RANK[severity] < min) return;
    const entry: Fields = { severity, message, ...base, ...(redact(fields ?? {}) as Fields) };
    if (err !== undefined) Object.assign(entry, errorFields(err));
    if (Object.keys(labels).length) entry['logging.googleapis.com/labels'] = labels;
    entry.time = new Date().toISOString();
    write(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => emit('DEBUG', m, f),
    info: (m, f) => emit('INFO', m, f),
    notice: (m, f) => emit('NOTICE', m, f),
    warn: (m, f) => emit('WARNING', m, f),
    error: (m, err, f) => emit('ERROR', m, f, err),
    critical: (m, err, f) => emit('CRITICAL', m, f, err),
    child: (extra) =>
      make(min, write, { ...labels, ...cleanLabels(extra.labels ?? {}) }, { ...base, ...(extra.fields ?? {}) }),
  };
}

function cleanLabels(labels: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => e[1] !== undefined));
}

function errorFields(err: unknown): Fields {
  if (!(err instanceof Error)) return { error: redact(err) };
  const code = (err as { code?: unknown }).code;
  // Error Reporting reads `stack_trace` first; Node's err.stack format is one it understands.
  return {
    stack_trace: maskText(err.stack ?? `${err.name}: ${err.message}`),
    error: { name: err.name, message: maskText(err.message), ...(code !== undefined ? { code } : {}) },
  };
}

/**
 * Anything shaped like an address, not only the common ones: a local part may hold `!#$%&'*+/=?^{|}~` (RFC 5322) and a
 * domain any letters, so both take every character but spaces, quotes, brackets, separators and `@`, and the domain
 * no `/` (a path such as `node_modules/@google-cloud/…` in a stack is not an address: its "domain" has a `/` before
 * any dot). Over-masking a log is cheap; leaking is not.
 */
const EMAIL =
  /([^\s"'\\<>(),;:@[\]])[^\s"'\\<>(),;:@[\]]*@([^\s"'\\<>(),;:@[\]/.])[^\s"'\\<>(),;:@[\]/]*\.([^\s"'\\<>(),;:@[\]/.]+)/gu;

/** `jane.doe@example.com` → `j***@e***.com`: enough to tell addresses apart in a log, not to read one. */
export function maskEmail(email: string): string {
  return email.replace(EMAIL, (_m, a: string, d: string, tld: string) => `${a}***@${d}***.${tld}`);
}

/** Masks every email address inside free text (error messages, stacks). */
export function maskText(text: string): string {
  return maskEmail(text);
}

/** Keys whose values are personal data: replaced whole, whatever their type. */
const PERSONAL_KEYS = new Set([
  'name',
  'firstname',
  'lastname',
  'phone',
  'address',
  'line1',
  'line2',
  'postalcode',
  'zip',
  'street',
  'shippingaddress',
  'billingaddress',
  'to',
  'recipient',
]);

/**
 * A copy of `value` with personal data masked: emails anywhere become `j***@e***.com`, and the values of
 * personal keys (name, address lines, postal code, phone…) become `[redacted]`. Use it on anything that may hold
 * customer data before logging it; the logger applies it to every entry's fields.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than any of our documents: cut, so nothing below goes out unmasked (and no hostile nesting overflows).
  if (depth > 8) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Fields = {};
  for (const [k, v] of Object.entries(value)) {
    const key = k.toLowerCase();
    if (key === 'email' || key.endsWith('email')) out[k] = typeof v === 'string' ? maskEmail(v) : redact(v, depth + 1);
    else if (PERSONAL_KEYS.has(key)) out[k] = v === undefined || v === null ? v : '[redacted]';
    else out[k] = redact(v, depth + 1);
  }
  return out;
}
