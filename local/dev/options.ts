/** Flags of `npm run dev`. */
import { parseArgs } from 'node:util';
import { isTimeZone } from '../../shared/store-time.ts';
import { parseAllowedHosts } from '../request-guard.ts';

export const USAGE = `Usage: npm run dev -- [options]

Builds the bundles and starts the whole system on this machine: the Firestore emulator, the Cloud Tasks
emulator, the mail sink and every function from its own dist/<name>/ folder. Ctrl-C stops everything.

  --state <dir>          state folder: tasks, Firestore data, outbox, secrets, stack.json (default .local)
  --clean                start fresh: delete the queued tasks, Firestore data, outbox and secrets first
  --rebuild-on-change    watch functions/ and shared/; rebuild and restart only the functions a change affects
  --functions-port <n>   first function port; functions get n, n+1, … (default 8080; public ones first)
  --tasks-port <n>       Cloud Tasks emulator (default 8123)
  --firestore-port <n>   Firestore emulator (default 8180)
  --mail-port <n>        mail sink (default 8025)
  --console-port <n>     the local console, a web page over queues, tasks, emails, reports (default 8000)
  --allowed-hosts <h,…>  hosts besides localhost, 127.0.0.1 and [::1] that may reach the console, the Cloud Tasks
                         emulator and the mail sink (a Host, or the Origin of a page that changes them); any port;
                         .example.test allows its subdomains too
  --project <id>         project id (default storefront-local)
  --time-zone <iana>     the store's time zone, STORE_TIME_ZONE of the functions (default $STORE_TIME_ZONE or UTC)
  --log-level <level>    the functions' LOG_LEVEL: DEBUG, INFO, NOTICE, WARNING, ERROR (default INFO); DEBUG
                         also shows the Firestore emulator's expected failures (an existing document, ...)
  --raw-logs             show the functions' JSON log lines as written instead of pretty
  -h, --help             this text`;

export interface DevOptions {
  state: string | undefined;
  clean: boolean;
  rebuildOnChange: boolean;
  functionsPort: number;
  tasksPort: number;
  firestorePort: number;
  mailPort: number;
  consolePort: number;
  /** Hosts (besides loopback) that may reach the console, the Cloud Tasks emulator and the mail sink. */
  allowedHosts: string[];
  project: string;
  /** The store's IANA time zone. */
  timeZone: string;
  /** REPORTS_* settings of the shell (window, backfill limit, page size, budget), handed to the functions. */
  reports: Record<string, string>;
  logLevel: string;
  rawLogs: boolean;
  help: boolean;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): DevOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      state: { type: 'string' },
      clean: { type: 'boolean', default: false },
      'rebuild-on-change': { type: 'boolean', default: false },
      'functions-port': { type: 'string', default: '8080' },
      'tasks-port': { type: 'string', default: '8123' },
      'firestore-port': { type: 'string', default: '8180' },
      'mail-port': { type: 'string', default: '8025' },
      'console-port': { type: 'string', default: '8000' },
      'allowed-hosts': { type: 'string', multiple: true },
      project: { type: 'string', default: 'storefront-local' },
      'time-zone': { type: 'string', default: env.STORE_TIME_ZONE || 'UTC' },
      'log-level': { type: 'string', default: 'INFO' },
      'raw-logs': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const port = (flag: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new Error(`--${flag} must be a port number (1-65535), got "${v}"`);
    return n;
  };
  const level = values['log-level'].toUpperCase();
  if (!['DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR'].includes(level))
    throw new Error(`--log-level must be DEBUG, INFO, NOTICE, WARNING or ERROR, got "${values['log-level']}"`);
  if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(values.project))
    throw new Error(
      `--project must be a valid project id (6-30 lowercase letters, digits, hyphens), got "${values.project}"`,
    );
  if (!isTimeZone(values['time-zone']))
    throw new Error(`--time-zone must be an IANA time zone such as Europe/Berlin, got "${values['time-zone']}"`);
  return {
    state: values.state,
    clean: values.clean,
    rebuildOnChange: values['rebuild-on-change'],
    functionsPort: port('functions-port', values['functions-port']),
    tasksPort: port('tasks-port', values['tasks-port']),
    firestorePort: port('firestore-port', values['firestore-port']),
    mailPort: port('mail-port', values['mail-port']),
    consolePort: port('console-port', values['console-port']),
    allowedHosts: parseAllowedHosts(values['allowed-hosts']),
    project: values.project,
    timeZone: values['time-zone'],
    reports: Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('REPORTS_') && !!e[1]),
    ),
    logLevel: level,
    rawLogs: values['raw-logs'],
    help: values.help,
  };
}
