// Dead letters: tasks given up, with payload and errors; redrive one or all (the code of `npm run dead-letters`).
import { html, usePoll, post, Loading, ActionButton, Json, time } from './lib.js';

const redrove = (r) => (r.lines.length ? r.lines.join('; ') : 'Nothing to redrive');

export function DeadLetters() {
  const { data, error, reload } = usePoll('dead-letters', 2000);
  if (!data) return html`<${Loading} error=${error} />`;
  const waiting = data.deadLetters.filter((l) => !l.redrivenAt).length;
  return html`
    <h1>Dead letters</h1>
    <div class="toolbar">
      <span>${data.deadLetters.length} dead letters, ${waiting} not redriven</span>
      <${ActionButton}
        label="Redrive all"
        confirm="Enqueue again every dead letter not redriven yet (${waiting})?"
        action=${() => post('dead-letters/redrive').finally(reload)}
        done=${redrove}
      />
    </div>
    <table aria-label="Dead letters">
      <thead><tr>
        <th>Id</th>
        <th>Queue</th>
        <th>Kind</th>
        <th class="num">Attempts</th>
        <th>Last error</th>
        <th>Last failed</th>
        <th>State</th>
        <th>Actions</th>
      </tr></thead>
      <tbody>${data.deadLetters.map(
        (l) => html`
        <tr data-id=${l.id}>
          <td class="mono"><a href="#/dead-letters/${encodeURIComponent(l.id)}">${l.id}</a></td>
          <td>${l.queue}</td><td>${l.kind ?? ''}</td><td class="num">${l.attempts}</td>
          <td><code>${l.lastError?.code}</code> ${l.lastError?.message}</td>
          <td>${time(l.lastFailedAt)}</td>
          <td>${l.redrivenAt ? html`<span class="badge ok">redriven</span>` : html`<span class="badge bad">dead</span>`}</td>
          <td>${
            !l.redrivenAt &&
            html`<${ActionButton}
            label="Redrive"
            action=${() => post('dead-letters/redrive', { id: l.id }).finally(reload)}
            done=${redrove}
          />`
          }</td>
        </tr>`,
      )}
      ${data.deadLetters.length === 0 && html`<tr><td colspan="8" class="muted">No dead letters.</td></tr>`}
      </tbody>
    </table>`;
}

export function DeadLetter({ id }) {
  const { data, error, reload } = usePoll(`dead-letters/${encodeURIComponent(id)}`, 3000);
  return html`
    <p><a href="#/dead-letters">← Dead letters</a></p>
    <h1 class="mono">${id}</h1>
    ${
      !data
        ? html`<${Loading} error=${error} />`
        : html`
      <div class="actions"><${ActionButton}
        label=${data.redrivenAt ? 'Redrive again' : 'Redrive'}
        action=${() => post('dead-letters/redrive', { id }).finally(reload)}
        done=${redrove}
      /></div>
      <div class="grid">
        <section class="card"><h2>Dead letter</h2><dl class="kv">
          <dt>Queue</dt><dd>${data.queue}</dd><dt>Task</dt><dd class="mono">${data.task}</dd><dt>Kind</dt><dd>${data.kind ?? ''}</dd>
          <dt>Attempts</dt><dd>${data.attempts}</dd>
          <dt>First failed</dt><dd>${time(data.firstFailedAt)}</dd>
          <dt>Last failed</dt><dd>${time(data.lastFailedAt)}</dd>
          <dt>First error</dt><dd><code>${data.firstError?.code}</code> ${data.firstError?.message}</dd>
          <dt>Last error</dt><dd><code>${data.lastError?.code}</code> ${data.lastError?.message}</dd>
          <dt>Redriven</dt>
          <dd>${data.redrivenAt ? html`${time(data.redrivenAt)} as <span class="mono">${data.redriveTask}</span>` : 'no'}</dd>
        </dl></section>
        <section class="card"><h2>Payload</h2><${Json} value=${data.payload} /></section>
      </div>`
    }`;
}
