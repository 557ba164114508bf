/**
 * `npm run verify`: deploy.sh verify's HTTP checks against the running dev stack, from its stack file
 * (`<state>/stack.json`): every function of functions/ is running, and each answers as deployed it must.
 *
 *   npm run verify -- [--state .local | --stack <file>] [--timeout-ms 10000]
 *
 * Prints one table (check, expected, found); exits 1 when a check does not match, 2 on bad arguments.
 */
import { parseArgs } from 'node:util';
import { readStack, stackFile, type StackInfo } from '../../local/stack-file.ts';
import { FUNCTIONS } from '../settings/functions.ts';
import { httpChecks, type HttpTarget, type Row } from './http-checks.ts';
import { verifyTable } from './table.ts';

export const USAGE = 'usage: npm run verify -- [--state .local | --stack <file>] [--timeout-ms 10000]';

/** The checks of a running stack. */
export async function verifyStack(s: StackInfo, o: { timeoutMs: number }): Promise<Row[]> {
  const present: Row[] = Object.keys(FUNCTIONS).map((name) => {
    const f = s.functions[name];
    return { check: `${name}: running`, expected: 'in the stack', found: f ? f.url : 'not in the stack', ok: !!f };
  });
  const targets: HttpTarget[] = Object.entries(s.functions).map(([name, f]) => ({
    name,
    url: f.url,
    access: f.access,
    secrets: s.webhook.secret,
  }));
  return [...present, ...(await httpChecks(targets, o))];
}

/** Parses the arguments; throws an Error naming the bad one. */
export function verifyOptions(argv: string[]): { file: string; timeoutMs: number } {
  const { values } = parseArgs({
    args: argv,
    options: {
      state: { type: 'string' },
      stack: { type: 'string' },
      'timeout-ms': { type: 'string', default: '10000' },
    },
  });
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100)
    throw new Error(`--timeout-ms: "${values['timeout-ms']}" is not a whole number of milliseconds ≥ 100`);
  if (values.state && values.stack) throw new Error('--state and --stack exclude each other');
  return { file: values.stack ?? stackFile(values.state ?? '.local'), timeoutMs };
}

if (import.meta.main) {
  let options: ReturnType<typeof verifyOptions>;
  try {
    options = verifyOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`npm run verify: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  try {
    const rows = await verifyStack(readStack(options.file), options);
    console.log(verifyTable(rows));
    process.exit(rows.every((r) => r.ok) ? 0 : 1);
  } catch (err) {
    console.error(`npm run verify: ${(err as Error).message}`);
    process.exit(1);
  }
}
