// The mail sink refuses what a web page could send it (local/request-guard.ts): a cross-site clearing of the
// outbox, a rebound Host reading it; clients without Origin, its own origin and loopback names work.
import { startMailSink } from '../../local/mail-sink/server.ts';
import { describeWebAttacks } from '../support/web-attacks.ts';

const EMAIL = 'jane.doe@example.com';

describeWebAttacks('mail sink', {
  async start({ host, allowedHosts, log }) {
    const sink = await startMailSink({ ...(host ? { host } : {}), ...(allowedHosts ? { allowedHosts } : {}), log });
    const sent = await fetch(`${sink.url}/v3/mail/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer SG.k' },
      body: JSON.stringify({
        personalizations: [{ to: [{ email: EMAIL }] }],
        from: { email: 'shop@storefront.test' },
        subject: 'Hi',
        content: [{ type: 'text/plain', value: 'Hi' }],
      }),
    });
    if (sent.status !== 202) throw new Error(`the sink answered ${sent.status} to a valid message`);
    return { url: sink.url, stop: () => sink.close() };
  },
  write: { method: 'POST', path: '/_sink/clear', body: '{}' },
  changed: async (s) =>
    (
      (await (await fetch(`${s.url}/outbox`, { headers: { accept: 'application/json' } })).json()) as {
        messages: unknown[];
      }
    ).messages.length === 0,
  read: { path: '/outbox', holds: EMAIL },
});
