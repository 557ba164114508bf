/** CLI: `npm run emulator -- [options]` (see USAGE and README.md). */
import { parseArgs } from 'node:util';
import { allowedHostsOrExit } from '../request-guard.ts';
import { startEmulator } from './index.ts';

const USAGE = `Usage: npm run emulator -- [options]
  --host <host>        listen address (default 127.0.0.1)
  --allowed-hosts <h,…>
                       hosts besides localhost, 127.0.0.1, [::1] and --host that may reach it (a Host or a
                       page's Origin; any port; .example.test allows its subdomains too)
  --port <port>        listen port (default 8123; 0 = any free port)
  --state <dir>        keep queues, tasks, tombstones and the OIDC key in <dir> (default: in memory)
  --queues <file>      create or update the queues of a queues.json file at start
  --project <id>       project for --queues and ListLocations (default storefront-local)
  --location <id>      location for --queues and ListLocations (default us-central1)
  --issuer <url>       OIDC issuer put in tokens (default: the emulator URL)
  --tombstone-ttl <s>  seconds a finished or deleted task name stays blocked (default 3600)
  --queue-tombstone-ttl <s>
                       seconds a deleted queue's name stays blocked (default 0; Cloud Tasks: 604800, 7 days)
  --hold-dispatch      dispatch nothing until POST /_emulator/dispatch:release (for a runner that starts the
                       targets after the emulator)`;

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    'allowed-hosts': { type: 'string', multiple: true },
    port: { type: 'string' },
    state: { type: 'string' },
    queues: { type: 'string' },
    project: { type: 'string' },
    location: { type: 'string' },
    issuer: { type: 'string' },
    'tombstone-ttl': { type: 'string' },
    'queue-tombstone-ttl': { type: 'string' },
    'hold-dispatch': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const port = values.port === undefined ? 8123 : Number(values.port);
const seconds = (flag: 'tombstone-ttl' | 'queue-tombstone-ttl'): number | undefined =>
  values[flag] === undefined ? undefined : Number(values[flag]);
const ttl = seconds('tombstone-ttl');
const queueTtl = seconds('queue-tombstone-ttl');
if (!Number.isInteger(port) || port < 0 || port > 65535 || [ttl, queueTtl].some((t) => t !== undefined && !(t >= 0))) {
  console.error(
    `tasks emulator: --port must be 0 to 65535, --tombstone-ttl and --queue-tombstone-ttl a number of seconds.\n${USAGE}`,
  );
  process.exit(2);
}

const allowedHosts = allowedHostsOrExit(values['allowed-hosts'], 'tasks emulator: ');

try {
  const em = await startEmulator({
    host: values.host ?? '127.0.0.1',
    allowedHosts,
    port,
    ...(values.state ? { stateDir: values.state } : {}),
    ...(values.queues ? { queues: values.queues } : {}),
    ...(values.project ? { project: values.project } : {}),
    ...(values.location ? { location: values.location } : {}),
    ...(values.issuer ? { issuer: values.issuer } : {}),
    ...(ttl !== undefined ? { tombstoneTtlMs: ttl * 1000 } : {}),
    ...(queueTtl !== undefined ? { queueTombstoneTtlMs: queueTtl * 1000 } : {}),
    holdDispatch: values['hold-dispatch'] ?? false,
  });
  console.log(
    JSON.stringify({
      message: 'Cloud Tasks emulator listening',
      url: em.url,
      issuer: em.issuer,
      jwksUrl: em.jwksUrl,
      project: em.project,
      location: em.location,
      state: values.state ?? null,
      dispatchHeld: values['hold-dispatch'] ?? false,
    }),
  );
  const stop = (): void => {
    void em.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(`tasks emulator: ${(err as Error).message}`);
  process.exit(1);
}
