// A journey's timeline (an order's, or a daily-report run's): deliveries, status changes, tasks, each attempt, the
// email, and the trace id that groups their log lines in Cloud Logging. The same timeline `npm run trace` prints.
import { useState } from 'preact/hooks';
import { html, usePoll, Loading } from './lib.js';

/** Date and time to the millisecond: entries a few ms apart must read in order. */
const time = (iso) => {
  const d = new Date(iso);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString(undefined, { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 })}`;
};
const KIND = {
  delivery: 'Delivery',
  status: 'Status',
  task: 'Task',
  attempt: 'Attempt',
  email: 'Email',
  report: 'Report',
};

function Details({ e }) {
  if (e.kind === 'email') return html`<a href="#/outbox/${encodeURIComponent(e.outbox)}">${e.text}</a>`;
  if (e.kind === 'attempt') {
    const a = e.attempt;
    return html`<a class="mono" href="#/queues/${encodeURIComponent(e.task.queue)}/tasks/${encodeURIComponent(e.task.id)}">${e.text}</a>
      ${' '}<span class="badge ${a.outcome}" data-testid="outcome">${a.status ?? '—'}</span>${a.code ? html` <span class="badge bad" data-testid="code">${a.code}</span>` : ''}`;
  }
  if (e.task)
    return html`<a class="mono" href="#/queues/${encodeURIComponent(e.task.queue)}/tasks/${encodeURIComponent(e.task.id)}">${e.text}</a>`;
  return e.text;
}

/** The timeline as a table, with its trace id. */
export function Timeline({ timeline: t }) {
  return html`
    <section class="card" data-testid="timeline">
      <h2>Timeline <span class="badge">${t.state}</span></h2>
      <p>Trace <code data-testid="trace">${t.traceId ?? 'none recorded'}</code>
        ${t.traceId && html` <span class="muted">· Cloud Logging: <code>trace="projects/…/traces/${t.traceId}"</code></span>`}</p>
      <table aria-label="Timeline">
        <thead><tr><th>Time</th><th>What</th><th>Details</th></tr></thead>
        <tbody>${t.entries.map((e) => html`<tr data-kind=${e.kind}><td class="mono">${time(e.at)}</td><td>${KIND[e.kind] ?? e.kind}</td><td><${Details} e=${e} /></td></tr>`)}
        ${t.entries.length === 0 && html`<tr><td colspan="3" class="muted">Nothing yet.</td></tr>`}</tbody>
      </table>
    </section>`;
}

/** A daily-report run's page: its timeline across schedule, shard steps, combine and email. */
export function Run({ day, run = 'scheduled' }) {
  const [value, setValue] = useState(day ? `${day}/${run}` : '');
  const { data, error } = usePoll(day ? `runs/${encodeURIComponent(day)}/${encodeURIComponent(run)}` : '', 3000);
  const go = (e) => {
    e.preventDefault();
    if (value.trim()) location.hash = `#/runs/${value.trim().split('/').map(encodeURIComponent).join('/')}`;
  };
  return html`
    <h1>Report run</h1>
    <form class="toolbar" onSubmit=${go} role="search">
      <label>Day/run <input value=${value} onInput=${(e) => setValue(e.target.value)} placeholder="2026-11-30/scheduled" /></label>
      <button class="primary">Look up</button>
    </form>
    ${day && (!data ? html`<${Loading} error=${error} />` : html`<h2>${data.title}</h2><${Timeline} timeline=${data} />`)}`;
}
