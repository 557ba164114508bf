// The emulator refuses what a web page could send it (local/request-guard.ts): a cross-site pause of a queue, a
// rebound Host reading its queues; gcloud-like clients without Origin, its own origin and loopback names work.
import { startEmulator } from '../../local/tasks-emulator/index.ts';
import { describeWebAttacks } from '../support/web-attacks.ts';
import { rest } from './support.ts';

const loc = 'projects/storefront-local/locations/us-central1';

describeWebAttacks('Cloud Tasks emulator', {
  async start({ host, allowedHosts, log }) {
    const em = await startEmulator({
      port: 0,
      ...(host ? { host } : {}),
      ...(allowedHosts ? { allowedHosts } : {}),
      log,
      queues: [{ name: 'notifications' }],
    });
    return { url: em.url, stop: () => em.close() };
  },
  write: { method: 'POST', path: `/v2/${loc}/queues/notifications:pause`, body: '' },
  changed: async (s) => (await rest(s.url, 'GET', `/v2/${loc}/queues/notifications`)).json.state === 'PAUSED',
  read: { path: `/v2/${loc}/queues`, holds: `${loc}/queues/notifications` },
});
