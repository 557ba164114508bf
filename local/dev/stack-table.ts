/** The table the dev runner prints once the stack is ready: what `<state>/stack.json` holds, for people. */
import type { StackInfo } from '../stack-file.ts';

/** The table the runner prints once the stack is ready. */
export function stackTable(s: StackInfo, relState: string): string {
  const rows: [string, string, string][] = [];
  for (const [name, f] of Object.entries(s.functions)) {
    const how =
      f.access === 'public'
        ? 'public'
        : `${f.access === 'task-target' ? `task target of ${f.queues.join(', ')}` : 'called by Cloud Scheduler'}; OIDC aud = its URL, accepts ${f.acceptsServiceAccounts.join(', ')}`;
    rows.push([name, f.url, how]);
  }
  rows.push([
    'tasks emulator',
    s.tasksEmulator.url,
    `CLOUD_TASKS_EMULATOR_HOST=${s.tasksEmulator.host}; queues ${Object.keys(s.tasksEmulator.queues).join(', ')}; OIDC issuer = its URL`,
  ]);
  rows.push([
    'firestore',
    `http://${s.firestore.host}`,
    `FIRESTORE_EMULATOR_HOST=${s.firestore.host}; project ${s.project}`,
  ]);
  rows.push(['mail sink', s.mailSink.url, 'SendGrid v3 API (SENDGRID_BASE_URL)']);
  if (s.console)
    rows.push([
      'console',
      s.console.url,
      'open in a browser: queues, tasks, attempts, dead letters, outbox, orders, reports',
    ]);
  rows.push(['outbox', s.mailSink.outboxUrl, `open in a browser; files in ${relState}/outbox/`]);
  rows.push(['dead letters', `${s.firestore.restUrl}/deadLetters`, 'Firestore REST (curl)']);
  rows.push([
    'webhook secret',
    s.webhook.secret,
    `sign as ${s.webhook.header}: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
  ]);
  rows.push(['stack file', `${relState}/stack.json`, 'all of the above as JSON, for scripts']);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const line = '─'.repeat(w0 + 2) + '┴' + '─'.repeat(w1 + 2) + '┴' + '─'.repeat(40);
  const top = '─'.repeat(w0 + 2) + '┬' + '─'.repeat(w1 + 2) + '┬' + '─'.repeat(40);
  return [top, ...rows.map(([a, b, c]) => ` ${a.padEnd(w0)} │ ${b.padEnd(w1)} │ ${c}`), line].join('\n');
}
