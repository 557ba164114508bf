// Outbox: the emails the mail sink accepted; one rendered as the recipient sees it (sandboxed), its text and headers.
import { html, usePoll, Loading, Json, time } from './lib.js';

export function Outbox() {
  const { data, error } = usePoll('outbox', 2000);
  if (!data) return html`<${Loading} error=${error} />`;
  return html`
    <h1>Outbox</h1>
    <p class="muted">${data.messages.length} emails accepted by the mail sink, newest first.</p>
    <table aria-label="Emails">
      <thead><tr><th class="num">#</th><th>Received</th><th>To</th><th>Subject</th></tr></thead>
      <tbody>${data.messages.map(
        (m) => html`
        <tr><td class="num">${m.seq}</td><td>${time(m.receivedAt)}</td><td>${m.to.join(', ')}</td>
          <td>
            <a href="#/outbox/${encodeURIComponent(m.id)}">${m.subject ?? (m.templateId ? `template ${m.templateId}` : '(no subject)')}</a>
          </td></tr>`,
      )}
      ${data.messages.length === 0 && html`<tr><td colspan="4" class="muted">No emails yet.</td></tr>`}
      </tbody>
    </table>`;
}

export function Email({ id }) {
  const { data, error } = usePoll(`outbox/${encodeURIComponent(id)}`, 60000);
  if (!data) return html`<p><a href="#/outbox">← Outbox</a></p><${Loading} error=${error} />`;
  const r = data.request ?? {};
  const p = r.personalizations?.[0] ?? {};
  return html`
    <p><a href="#/outbox">← Outbox</a></p>
    <h1>${data.subject ?? '(no subject)'}</h1>
    <div class="grid">
      <section class="card" style="grid-column: span 2"><h2>As the recipient sees it</h2>
        <iframe class="email" title="Email ${data.subject ?? id}" sandbox="" src="/email/${encodeURIComponent(id)}"></iframe>
      </section>
      <section class="card"><h2>Headers</h2><dl class="kv">
        <dt>From</dt><dd>${r.from?.name ? `${r.from.name} <${r.from.email}>` : data.from}</dd>
        <dt>To</dt><dd>${data.to.join(', ')}</dd>
        <dt>Subject</dt><dd>${data.subject}</dd>
        <dt>Received</dt><dd>${time(data.receivedAt)}</dd>
        <dt>Message id</dt><dd class="mono">${data.id}</dd>
        ${r.reply_to && html`<dt>Reply-To</dt><dd>${r.reply_to.email}</dd>`}
        ${r.template_id && html`<dt>Template</dt><dd>${r.template_id}</dd>`}
        ${r.categories && html`<dt>Categories</dt><dd>${r.categories.join(', ')}</dd>`}
        ${Object.entries({ ...r.custom_args, ...p.custom_args }).map(([k, v]) => html`<dt>${k}</dt><dd class="mono">${v}</dd>`)}
        ${Object.entries({ ...r.headers, ...p.headers }).map(([k, v]) => html`<dt>${k}</dt><dd class="mono">${v}</dd>`)}
      </dl></section>
      <section class="card"><h2>Text</h2><pre class="text">${data.text ?? '(no text part)'}</pre></section>
      ${r.template_id && html`<section class="card"><h2>Template data</h2><${Json} value=${p.dynamic_template_data} /></section>`}
    </div>`;
}
