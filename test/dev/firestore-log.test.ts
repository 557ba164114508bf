// The dev log's view of the Firestore emulator, fed with the emulator's real output (fixtures/firestore-emulator:
// gcloud 528's emulator answering two create-once writes of an existing document, an update of a missing one, an
// update with a stale update-time precondition, a read of a missing document and a write with a bad document
// name). Expected failures take no line at the default level and one short line each with verbose; the others
// stay whole, stack trace included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firestoreLogFilter } from '../../local/dev/firestore-log.ts';

const sample = readFileSync(
  join(import.meta.dirname, '..', 'fixtures', 'firestore-emulator', 'expected-and-real-errors.txt'),
  'utf8',
).split('\n');
const shown = (verbose: boolean): string[] => {
  const filter = firestoreLogFilter({ verbose });
  return sample.map(filter).filter((l): l is string => l !== undefined);
};

describe('the Firestore emulator in the dev log', () => {
  it('drops the expected failures and keeps the real ones whole', () => {
    const lines = shown(false);
    const text = lines.join('\n');
    expect(text).not.toContain('entity already exists');
    expect(text).not.toContain('does not match the required base version');
    expect(text).not.toContain('orders/zzz) not found');
    expect(text).not.toMatch(/Detected (non-)?HTTP\/2 connection/);
    // The update of a missing document and the bad document name are not outcomes our code expects: whole.
    expect(lines).toContain('WARNING: Operation failed: no entity to update: app: "dev~demo-p"');
    expect(lines).toContain(
      'WARNING: Operation failed: Document name "projects/demo-p/databases/(default)/documents/orders" lacks "/" at index 52.',
    );
    expect(lines).toContain(
      'INFO: Exception when handling request: INVALID_ARGUMENT: Document name "projects/demo-p/databases/(default)/documents/orders" lacks "/" at index 52.',
    );
    const traces = lines.filter((l) =>
      l.startsWith('\tat com.google.cloud.datastore.core.exception.DatastoreException.withProblem'),
    );
    expect(traces, 'stack traces kept: the one of the update of a missing document').toHaveLength(1);
    // The emulator's start banner is untouched.
    expect(lines).toContain('API endpoint: http://127.0.0.1:18555');
    // Of 254 lines of real output, the banner and the two real errors are left (104 lines, 45 of them one trace).
    expect(sample.length).toBeGreaterThan(250);
    expect(lines.length).toBeLessThan(sample.length / 2);
  });

  it('with verbose, shows each expected failure as one short line', () => {
    const short = shown(true).filter((l) => l.includes('(expected: '));
    expect(short).toEqual([
      'ALREADY_EXISTS /orders/o1 (expected: a create-once write found the document)',
      'ALREADY_EXISTS /orders/o1 (expected: a create-once write found the document)',
      'FAILED_PRECONDITION (expected: a write lost its precondition to another writer; it reads again)',
      'NOT_FOUND /orders/zzz (expected: a read of a document not written yet)',
    ]);
  });
});
