/**
 * Runs the mail sink on its own: `node local/mail-sink/main.ts [--port 8025] [--host 127.0.0.1]
 * [--allowed-hosts h,…] [--outbox .local/outbox] [--api-key SG.dev]`. Prints one JSON line with its URL, then
 * serves until stopped.
 */
import { parseArgs } from 'node:util';
import { allowedHostsOrExit } from '../request-guard.ts';
import { startMailSink } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8025' },
    host: { type: 'string', default: '127.0.0.1' },
    'allowed-hosts': { type: 'string', multiple: true },
    outbox: { type: 'string' },
    'api-key': { type: 'string' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}
const allowedHosts = allowedHostsOrExit(values['allowed-hosts']);
const sink = await startMailSink({
  host: values.host,
  allowedHosts,
  port,
  ...(values.outbox !== undefined ? { outboxDir: values.outbox } : {}),
  ...(values['api-key'] !== undefined ? { apiKey: values['api-key'] } : {}),
});
console.log(
  JSON.stringify({
    severity: 'INFO',
    message: `mail sink listening on ${sink.url}`,
    url: sink.url,
    outbox: values.outbox ?? null,
  }),
);
const stop = (): void => void sink.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
