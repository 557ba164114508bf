/**
 * `npm run console`: the local console against a running `npm run dev` (settings from its `<state>/stack.json`).
 * `npm run dev` starts it too; this is for running it on its own.
 *
 *   npm run console -- [--port 8000] [--host 127.0.0.1] [--allowed-hosts h,…] [--state .local | --stack <file>]
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { settings } from '../../ops/dead-letters.ts';
import { readStack, stackFile, type StackInfo } from '../stack-file.ts';
import { allowedHostsOrExit } from '../request-guard.ts';
import { startConsole, type ConsoleOptions } from './index.ts';

/** The console's options for a dev stack: the same settings `npm run dead-letters` derives from stack.json. */
export function consoleOptionsFor(stack: StackInfo, file: string): ConsoleOptions {
  return {
    tasksUrl: stack.tasksEmulator.url,
    mailUrl: stack.mailSink.url,
    firestoreHost: stack.firestore.host,
    project: stack.project,
    location: stack.location,
    // Read at each redrive, so that a stack stopped since answers with the same message as `npm run dead-letters`.
    opsEnv: () => settings({}, file),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8000' },
      host: { type: 'string', default: '127.0.0.1' },
      'allowed-hosts': { type: 'string', multiple: true },
      state: { type: 'string' },
      stack: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run console -- [--port 8000] [--host 127.0.0.1] [--allowed-hosts h,…] [--state .local | --stack <file>]',
    );
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number (0-65535), got "${values.port}"`);
    process.exit(2);
  }
  const allowedHosts = allowedHostsOrExit(values['allowed-hosts']);
  const file = resolve(values.stack ?? stackFile(values.state ?? join(import.meta.dirname, '..', '..', '.local')));
  try {
    const c = await startConsole({
      ...consoleOptionsFor(readStack(file), file),
      port,
      host: values.host,
      allowedHosts,
    });
    console.log(JSON.stringify({ message: 'Console listening', url: c.url }));
    for (const sig of ['SIGINT', 'SIGTERM'] as const)
      process.once(sig, () => void c.stop().then(() => process.exit(0)));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
