/**
 * The dev runner's one log stream: every line tagged with its source (`firestore`, `tasks`, `mail`, a function
 * name, `dev`). Functions write JSON lines for Cloud Logging; here they are shown pretty for a person
 * (`--raw-logs` shows them as written).
 */

export interface LogStream {
  /** One line from `source` (a whole line, without its newline). */
  line(source: string, text: string): void;
  /** A message of the runner itself. */
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  /** Writes text as is (tables), without a tag. */
  raw(text: string): void;
  /** Makes the tag column wide enough for these sources from the start. */
  reserve(sources: string[]): void;
  /** The last lines (at most `n`, as shown) of `source`, oldest first: what to show when it crashed. */
  recent(source: string, n?: number): string[];
}

/** How many lines of each source the stream keeps for {@link LogStream.recent}. */
const KEPT_LINES = 40;

export interface LogOptions {
  /** Show function JSON lines as written instead of pretty. */
  rawJson?: boolean;
  /** ANSI colours. @default stdout is a TTY and NO_COLOR is unset */
  color?: boolean;
  write?: (s: string) => void;
}

const COLORS = [36, 35, 33, 32, 34, 96, 95, 93, 92, 94];
const SEVERITY_COLOR: Record<string, number> = {
  DEBUG: 90,
  INFO: 32,
  NOTICE: 36,
  WARNING: 33,
  ERROR: 31,
  CRITICAL: 41,
};
/** Fields every function entry carries that a person does not need to read on each line. */
const QUIET_FIELDS = new Set([
  'severity',
  'message',
  'time',
  'stack_trace',
  'logging.googleapis.com/labels',
  'logging.googleapis.com/trace',
  'logging.googleapis.com/spanId',
  'logging.googleapis.com/trace_sampled',
]);

export function createLogStream(options: LogOptions = {}): LogStream {
  const color = options.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
  const write = options.write ?? ((s: string) => void process.stdout.write(s));
  const paint = (code: number, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const tagColors = new Map<string, number>();
  let width = 10;
  const reserve = (names: string[]): void =>
    void (width = Math.max(width, ...names.map((n) => Math.min(n.length, 20))));
  const tag = (source: string): string => {
    if (!tagColors.has(source)) tagColors.set(source, COLORS[tagColors.size % COLORS.length]!);
    width = Math.max(width, Math.min(source.length, 20));
    return paint(tagColors.get(source)!, source.padEnd(width));
  };
  const time = (): string => new Date().toTimeString().slice(0, 8);
  const kept = new Map<string, string[]>();
  const emit = (source: string, text: string): void => {
    const lines = kept.get(source) ?? kept.set(source, []).get(source)!;
    if (lines.push(text) > KEPT_LINES) lines.shift();
    write(`${paint(90, time())} ${tag(source)} │ ${text}\n`);
  };
  return {
    line(source, text) {
      const t = text.trimEnd();
      if (!t) return;
      const pretty = options.rawJson ? undefined : prettyJson(t, paint);
      if (pretty === undefined) return emit(source, t);
      for (const l of pretty) emit(source, l);
    },
    info: (text) => emit('dev', text),
    warn: (text) => emit('dev', paint(33, text)),
    error: (text) => emit('dev', paint(31, text)),
    raw: (text) => write(text.endsWith('\n') ? text : text + '\n'),
    reserve,
    recent: (source, n = 15) => (kept.get(source) ?? []).slice(-n),
  };
}

/**
 * A Cloud Logging JSON line as a person reads it: `INFO  Storefront event accepted  eventId=… type=…`, and the
 * stack trace (if any) on the following lines. `undefined` when the line is not such JSON.
 */
export function prettyJson(
  line: string,
  paint: (code: number, s: string) => string = (_c, s) => s,
): string[] | undefined {
  if (!line.startsWith('{')) return undefined;
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    entry = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof entry.message !== 'string' && typeof entry.severity !== 'string') return undefined;
  const severity = typeof entry.severity === 'string' ? entry.severity : undefined;
  const labels = (entry['logging.googleapis.com/labels'] ?? {}) as Record<string, unknown>;
  const fields: string[] = [];
  for (const [k, v] of Object.entries(labels)) if (k !== 'function') fields.push(`${k}=${short(k, v)}`);
  for (const [k, v] of Object.entries(entry))
    if (!QUIET_FIELDS.has(k) && v !== undefined) fields.push(`${k}=${short(k, v)}`);
  const sev = severity ? `${paint(SEVERITY_COLOR[severity] ?? 37, severity.padEnd(7))} ` : '';
  const head = `${sev}${String(entry.message ?? '')}${fields.length ? '  ' + paint(90, fields.join(' ')) : ''}`;
  const stack =
    typeof entry.stack_trace === 'string' ? entry.stack_trace.split('\n').map((l) => `        ${paint(90, l)}`) : [];
  return [head, ...stack];
}

/** Task names are long: `…/tasks/1a2b3c4d…` keeps the part that tells them apart. */
function short(key: string, value: unknown): string {
  if (typeof value === 'string') {
    if (key === 'task' || key === 'taskName')
      return `${value.includes('/') ? '…/tasks/' : ''}${value.split('/').pop()!.slice(0, 12)}`;
    return /[\s"]/.test(value) ? JSON.stringify(value) : value;
  }
  // Validation details: the paths say enough (the message has the rest).
  if (Array.isArray(value) && value.every((v) => v && typeof v === 'object' && 'path' in v))
    return `[${[...new Set(value.map((v) => String((v as { path: unknown }).path)))].join(', ')}]`;
  return JSON.stringify(value);
}

/** Splits a stream of chunks into whole lines for `onLine` (the last partial line is flushed on `end`). */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer | string): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      rest += chunk.toString();
      let i: number;
      while ((i = rest.indexOf('\n')) >= 0) {
        onLine(rest.slice(0, i));
        rest = rest.slice(i + 1);
      }
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}
