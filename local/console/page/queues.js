// Queues: state, rate limits, retry config, tasks waiting, dispatches per second over the last minute; actions.
import { html, usePoll, post, Loading, ActionButton, Chart } from './lib.js';

// Cloud Tasks' maxRetryDuration: 0 (the default) sets no limit, attempts alone end the retries.
const retryTime = (d) => (!d || Number.parseFloat(d) === 0 ? 'no retry time limit' : `retries for at most ${d}`);

const rateText = (r) =>
  `${r?.maxDispatchesPerSecond}/s, burst ${r?.maxBurstSize}, ${r?.maxConcurrentDispatches} concurrent`;
const retryText = (r) =>
  `${r?.maxAttempts} attempts, ${r?.minBackoff}…${r?.maxBackoff}, ${r?.maxDoublings ?? 0} doublings, ` +
  retryTime(r?.maxRetryDuration);

const X = { label: 'seconds ago', values: Array.from({ length: 60 }, (_, i) => i - 59), labels: null };

export function Queues() {
  const { data, error, reload } = usePoll('queues', 2000);
  if (!data) return html`<${Loading} error=${error} />`;
  const act = (q, action) => post(`queues/${encodeURIComponent(q.id)}/${action}`).finally(reload);
  return html`
    <h1>Queues</h1>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <${Chart}
      title="Dispatches per second, last minute"
      x=${X}
      series=${data.queues.map((q) => ({ label: q.id, values: q.perSecond }))}
      height=${180}
    />
    <table aria-label="Queues">
      <thead><tr>
        <th>Queue</th>
        <th>State</th>
        <th class="num">Tasks waiting</th>
        <th class="num">Dispatches/s (1 min)</th>
        <th>Rate limits</th>
        <th>Retry config</th>
        <th>Actions</th>
      </tr></thead>
      <tbody>
        ${data.queues.map(
          (q) => html`
          <tr data-queue=${q.id}>
            <td><a href="#/queues/${encodeURIComponent(q.id)}">${q.id}</a></td>
            <td><span class="badge ${q.state}" data-testid="state">${q.state}</span></td>
            <td class="num" data-testid="tasks">${q.tasks.toLocaleString()}</td>
            <td class="num">${q.dispatchesPerSecond.toFixed(2)}</td>
            <td class="mono">${rateText(q.rateLimits)}</td>
            <td class="mono">${retryText(q.retryConfig)}</td>
            <td><div class="actions">
              ${
                q.state === 'PAUSED'
                  ? html`<${ActionButton} label="Resume" action=${() => act(q, 'resume')} done="Queue ${q.id} resumed" />`
                  : html`<${ActionButton} label="Pause" action=${() => act(q, 'pause')} done="Queue ${q.id} paused" />`
              }
              <${ActionButton}
                label="Purge"
                danger
                confirm="Delete all ${q.tasks.toLocaleString()} tasks of queue ${q.id}? This cannot be undone."
                action=${() => act(q, 'purge')}
                done="Queue ${q.id} purged"
              />
            </div></td>
          </tr>`,
        )}
      </tbody>
    </table>`;
}
