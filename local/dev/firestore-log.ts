/**
 * The Firestore emulator's output as the dev log shows it. The emulator (java.util.logging) writes each record as a
 * header line (`Dec 06, 2026 12:22:15 AM <class> <method>`) and then `LEVEL: message`, with any stack trace below;
 * it logs every failed operation as a WARNING with a full stack trace, and once more as an INFO line. Most of those
 * are outcomes our code expects and handles: a create-once write finding its document (ALREADY_EXISTS), a write
 * losing its update-time precondition to another task (FAILED_PRECONDITION), a read of a document not written yet.
 * Those records are dropped, or shown as one short line with `verbose`; every other record is kept whole, stack
 * trace included, so a real error still reads in full. Header lines and the per-connection HTTP/2 notes are dropped.
 */

/** Messages of failed operations that are expected, with what they mean. */
const EXPECTED: { code: string; message: RegExp; means: string }[] = [
  {
    code: 'ALREADY_EXISTS',
    message: /^entity already exists: EntityRef\{.*path=([^}]*)\}/,
    means: 'a create-once write found the document',
  },
  {
    code: 'FAILED_PRECONDITION',
    message: /^the stored version \(\d+\) does not match the required base version/,
    means: 'a write lost its precondition to another writer; it reads again',
  },
  {
    code: 'NOT_FOUND',
    message: /^Document \(projects\/[^/]+\/databases\/[^/]+\/documents(\/.+)\) not found\.$/,
    means: 'a read of a document not written yet',
  },
];
const HEADER = /^\w{3} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M \S/;
const CONNECTION = /^INFO: Detected (non-)?HTTP\/2 connection\.$/;
const FAILED = /^WARNING: Operation failed: (.*)$/;
const HANDLED = /^INFO: Exception when handling request: ([A-Z_]+): (.*)$/;

/** A line filter for the emulator's output (a line in, the line to show or `undefined` out); keeps state across lines. */
export function firestoreLogFilter(o: { verbose?: boolean } = {}): (line: string) => string | undefined {
  let state: 'pass' | 'head' | 'skip' = 'pass';
  const expected = (message: string) => EXPECTED.find((e) => e.message.test(message));
  return (raw) => {
    const line = raw.replace(/^\[firestore\] ?/, '');
    if (HEADER.test(line)) return void (state = 'head');
    if (state === 'skip') return undefined;
    if (state === 'pass') return line;
    // The first line of a record decides what to do with the whole record.
    state = 'skip';
    if (CONNECTION.test(line)) return undefined;
    const failed = FAILED.exec(line)?.[1];
    const known = failed !== undefined ? expected(failed) : undefined;
    if (known)
      return o.verbose
        ? `${known.code} ${known.message.exec(failed!)?.[1] ?? ''} (expected: ${known.means})`.replace('  ', ' ')
        : undefined;
    const handled = HANDLED.exec(line);
    if (handled && expected(handled[2]!)?.code === handled[1]) return undefined;
    state = 'pass';
    return line;
  };
}
