// Orders (one by id, with its events, tasks and emails) and the daily reports (figures per currency, orders per hour).
import { useState } from 'preact/hooks';
import { html, usePoll, Loading, Json, Chart, time } from './lib.js';
import { Timeline } from './timeline.js';

export function Orders({ id }) {
  const [value, setValue] = useState(id ?? '');
  const { data, error } = usePoll(id ? `orders/${encodeURIComponent(id)}` : '', 3000);
  const go = (e) => {
    e.preventDefault();
    if (value.trim()) location.hash = `#/orders/${encodeURIComponent(value.trim())}`;
  };
  return html`
    <h1>Orders</h1>
    <form class="toolbar" onSubmit=${go} role="search">
      <label>Order id <input value=${value} onInput=${(e) => setValue(e.target.value)} placeholder="ord_1001" /></label>
      <button class="primary">Look up</button>
    </form>
    ${
      id &&
      (!data
        ? html`<${Loading} error=${error} />`
        : html`
      ${data.timeline && html`<${Timeline} timeline=${data.timeline} />`}
      <div class="grid">
        <section class="card"><h2>Order ${id} <span class="badge">${data.order?.status ?? 'unknown'}</span></h2>
          ${data.order ? html`<${Json} value=${data.order} />` : html`<p class="muted">No order document yet.</p>`}</section>
        <section class="card"><h2>Events</h2>
          <table><thead><tr><th>Event</th><th>Type</th><th>Received</th><th>Tasks</th></tr></thead><tbody>
          ${data.events.map(
            (e) => html`<tr>
            <td class="mono">${e.eventId}</td><td>${e.type}</td><td>${time(e.receivedAt)}</td><td>${(e.tasks ?? []).length}</td>
          </tr>`,
          )}
          </tbody></table>
          <h2>Tasks</h2>
          <table><thead><tr><th>Task</th><th>State</th><th>Attempts</th></tr></thead><tbody>
          ${data.tasks.map(
            (t) => html`<tr>
            <td class="mono">
              <a href="#/queues/${encodeURIComponent(t.queue)}/tasks/${encodeURIComponent(t.id)}">${t.queue}/${t.id}</a>
            </td>
            <td>${t.state}</td>
            <td>${t.attempts.map((a) => html`<span class="badge ${a.outcome}">${a.attempt}: ${a.status ?? '—'}</span> `)}</td></tr>`,
          )}
          </tbody></table>
          <h2>Emails</h2>
          <ul>${data.emails.map(
            (m) => html`<li>
            <a href="#/outbox/${encodeURIComponent(m.id)}">${m.subject}</a> to ${m.to.join(', ')} · ${time(m.receivedAt)}
          </li>`,
          )}</ul>
          ${data.emails.length === 0 && html`<p class="muted">No emails for this order.</p>`}
        </section>
      </div>`)
    }`;
}

const money = (minor, currency) => {
  const f = new Intl.NumberFormat(undefined, { style: 'currency', currency });
  return f.format(minor / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
};
const ROWS = [
  ['orders', 'Orders'],
  ['gross', 'Gross', true],
  ['subtotal', 'Subtotal', true],
  ['discount', 'Discount', true],
  ['tax', 'Tax', true],
  ['shipping', 'Shipping', true],
  ['units', 'Units'],
  ['averageOrderValue', 'Average order', true],
  ['cancelledOrders', 'Cancelled orders'],
  ['cancelledValue', 'Cancelled value', true],
];

export function Reports({ day }) {
  const { data, error } = usePoll('reports', 5000);
  if (!data) return html`<${Loading} error=${error} />`;
  if (!data.reports.length)
    return html`<h1>Reports</h1><p class="muted">No daily reports yet (reports/{day} in Firestore).</p>`;
  const chosen = data.reports.find((r) => r.day === day) ?? data.reports[0];
  const r = chosen.report;
  const currencies = Object.entries(r.currencies ?? {});
  return html`
    <h1>Reports</h1>
    <nav class="toolbar" aria-label="Days">${data.reports.map(
      (x) => html`<a href="#/reports/${x.day}" aria-current=${x.day === chosen.day ? 'page' : undefined}>${x.day}</a>`,
    )}</nav>
    <h2>${chosen.day} <span class="muted">(${r.timeZone}, generated ${time(r.generatedAt)})</span> <a href="#/runs/${chosen.day}/scheduled">run timeline</a></h2>
    ${chosen.issues && html`<p class="error" role="alert">This report does not match the report schema: ${chosen.issues.join('; ')}</p>`}
    <p>${r.orderCount} orders.</p>
    ${
      r.ordersByHour &&
      html`<${Chart}
      title="Orders per hour"
      bars
      x=${{ label: 'hour', values: r.ordersByHour.map((_, i) => i), labels: r.ordersByHour.map((h) => h.start.slice(11, 16)) }}
      series=${[{ label: 'orders', values: r.ordersByHour.map((h) => h.orders) }]}
    />`
    }
    <table aria-label="Figures per currency">
      <thead><tr><th></th>${currencies.map(([c]) => html`<th class="num">${c}</th>`)}</tr></thead>
      <tbody>${ROWS.map(
        ([k, label, isMoney]) => html`<tr>
        <th scope="row">${label}</th>
        ${currencies.map(([c, f]) => html`<td class="num">${isMoney ? money(f[k], c) : f[k]}</td>`)}
      </tr>`,
      )}</tbody>
    </table>
    <div class="grid">${currencies.map(
      ([c, f]) => html`
      <section class="card"><h2>Top products by revenue (${c})</h2>
        <table><thead><tr><th>SKU</th><th>Name</th><th class="num">Units</th><th class="num">Revenue</th></tr></thead>
        <tbody>${f.topByRevenue.map(
          (p) => html`<tr>
          <td class="mono">${p.sku}</td><td>${p.name}</td><td class="num">${p.units}</td><td class="num">${money(p.revenue, c)}</td>
        </tr>`,
        )}</tbody></table>
      </section>`,
    )}</div>`;
}
