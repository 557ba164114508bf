/**
 * `npm run dev`: the whole system on this machine. Builds the bundles that are out of date, installs each
 * dist/<name>/ folder's dependencies, starts the Firestore emulator, the Cloud Tasks emulator (queues.json), the
 * mail sink and every function through functions-framework from its own dist folder, wired only through
 * configuration. Prints one table and writes it as JSON to `<state>/stack.json`. Ctrl-C or SIGTERM (to the runner
 * or to npm) stops everything. A part that dies is started again, as Cloud Run replaces an instance; one that keeps
 * crashing, or a dead Firestore emulator, stops everything. See docs/local-development.md; the runner and its parts
 * are in runner.ts and parts.ts.
 */
import { resolve } from 'node:path';
import { parseOptions, USAGE } from './options.ts';
import { createDevRunner } from './runner.ts';

/** Runs the dev stack until it is stopped (the process exits then). */
export async function runDev(argv: string[]): Promise<void> {
  let opts;
  try {
    opts = parseOptions(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (opts.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const root = resolve(import.meta.dirname, '..', '..');
  process.chdir(root); // esbuild's metafile paths are relative to the working directory
  const runner = createDevRunner(opts, root);
  runner.handleSignals();
  await runner.start().catch((err: unknown) => runner.stop(1, err instanceof Error ? err.message : String(err)));
}

if (import.meta.main) await runDev(process.argv.slice(2));
