// Attempts: the latest dispatches, live, filterable by queue and outcome.
import { useState } from 'preact/hooks';
import { html, usePoll, Loading, time } from './lib.js';

const OUTCOMES = ['succeeded', 'retrying', 'gave-up', 'task-gone'];

export function Attempts() {
  const [queue, setQueue] = useState('');
  const [outcome, setOutcome] = useState('');
  const queues = usePoll('queues', 10000).data?.queues ?? [];
  const { data, error } = usePoll(`attempts?queue=${encodeURIComponent(queue)}&outcome=${outcome}`, 1000);
  return html`
    <h1>Attempts</h1>
    <div class="toolbar">
      <label>Queue <select value=${queue} onChange=${(e) => setQueue(e.target.value)}>
        <option value="">all</option>${queues.map((q) => html`<option value=${q.id}>${q.id}</option>`)}
      </select></label>
      <label>Outcome <select value=${outcome} onChange=${(e) => setOutcome(e.target.value)}>
        <option value="">all</option>${OUTCOMES.map((o) => html`<option value=${o}>${o}</option>`)}
      </select></label>
      <span class="muted">latest 200, newest first</span>
    </div>
    ${
      !data
        ? html`<${Loading} error=${error} />`
        : html`
      <table aria-label="Attempts">
        <thead><tr>
          <th class="num">#</th>
          <th>Dispatched</th>
          <th>Queue</th>
          <th>Task</th>
          <th class="num">Attempt</th>
          <th>Status</th>
          <th class="num">Latency</th>
          <th>Outcome</th>
        </tr></thead>
        <tbody>${data.attempts.map(
          (a) => html`
          <tr>
            <td class="num">${a.seq}</td><td>${time(a.dispatchTime)}</td><td>${a.queue}</td>
            <td class="mono">
              <a href="#/queues/${encodeURIComponent(a.queue)}/tasks/${encodeURIComponent(a.task.split('/').pop())}">
                ${a.task.split('/').pop()}
              </a>
            </td>
            <td class="num">${a.attempt}${a.runTask ? ' (run)' : ''}</td>
            <td>${a.status ?? (a.timedOut ? 'deadline exceeded' : (a.error ?? '—'))}</td>
            <td class="num">${Math.round(a.latencyMs)} ms</td>
            <td><span class="badge ${a.outcome}">${a.outcome}</span></td>
          </tr>`,
        )}
        ${data.attempts.length === 0 && html`<tr><td colspan="8" class="muted">No attempts yet.</td></tr>`}
        </tbody>
      </table>`
    }`;
}
