// Tasks of a queue (paged on the server) and one task's detail: request, decoded body, attempt timeline, actions.
import { useState } from 'preact/hooks';
import { html, usePoll, api, post, Loading, ActionButton, Json, time } from './lib.js';

const lastStatus = (t) => t.lastAttempt?.responseStatus?.code ?? (t.lastAttempt ? 0 : undefined);
const CODES = {
  0: 'OK',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
  3: 'INVALID_ARGUMENT',
  9: 'FAILED_PRECONDITION',
};

export function TaskList({ queue }) {
  // A stack of page tokens: [undefined] is the first page.
  const [tokens, setTokens] = useState([undefined]);
  const token = tokens.at(-1);
  const q = encodeURIComponent(queue);
  const { data, error } = usePoll(
    `queues/${q}/tasks?pageSize=50${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`,
    2000,
  );
  const page = tokens.length;
  return html`
    <p><a href="#/queues">← Queues</a></p>
    <h1>Tasks of ${queue}</h1>
    ${
      !data
        ? html`<${Loading} error=${error} />`
        : html`
      <div class="toolbar" role="group" aria-label="Pages">
        <span>${data.total.toLocaleString()} tasks · page ${page} of ${Math.max(1, Math.ceil(data.total / 50))}</span>
        <button disabled=${page === 1} onClick=${() => setTokens(tokens.slice(0, -1))}>← Previous</button>
        <button disabled=${!data.nextPageToken} onClick=${() => setTokens([...tokens, data.nextPageToken])}>Next →</button>
      </div>
      <table aria-label="Tasks">
        <thead><tr>
          <th>Task</th>
          <th>Schedule time</th>
          <th class="num">Attempts</th>
          <th>State</th>
          <th>Last status</th>
          <th>Last attempt</th>
        </tr></thead>
        <tbody>${data.tasks.map(
          (t) => html`
          <tr>
            <td class="mono"><a href="#/queues/${q}/tasks/${encodeURIComponent(t.id)}">${t.id}</a></td>
            <td>${time(t.scheduleTime)}</td>
            <td class="num">${t.dispatchCount ?? 0}</td>
            <td>${
              (t.dispatchCount ?? 0) > (t.responseCount ?? 0)
                ? html`<span class="badge warn">in flight</span>`
                : html`<span class="badge">scheduled</span>`
            }</td>
            <td>${lastStatus(t) === undefined ? '' : (CODES[lastStatus(t)] ?? lastStatus(t))}</td>
            <td>${time(t.lastAttempt?.responseTime ?? t.lastAttempt?.dispatchTime)}</td>
          </tr>`,
        )}
        ${data.tasks.length === 0 && html`<tr><td colspan="6" class="muted">No tasks waiting.</td></tr>`}
        </tbody>
      </table>`
    }`;
}

export function TaskDetail({ queue, task }) {
  const path = `queues/${encodeURIComponent(queue)}/tasks/${encodeURIComponent(task)}`;
  const { data, error, reload } = usePoll(path, 2000);
  if (!data)
    return html`<p><a href="#/queues/${encodeURIComponent(queue)}">← Tasks of ${queue}</a></p><${Loading} error=${error} />`;
  const t = data.task;
  const headers = t?.httpRequest?.headers ?? {};
  return html`
    <p><a href="#/queues/${encodeURIComponent(queue)}">← Tasks of ${queue}</a></p>
    <h1 class="mono">${task}</h1>
    ${!t && html`<p class="muted">This task is no longer in the queue (it succeeded, gave up or was deleted); its attempts are below.</p>`}
    ${
      t &&
      html`<div class="actions">
      <${ActionButton} label="Run now" action=${() => post(`${path}/run`).finally(reload)} done="Task ${task} dispatched" />
      <${ActionButton}
        label="Delete"
        danger
        confirm="Delete task ${task}? It will not be dispatched."
        action=${() => api(path, { method: 'DELETE' }).finally(() => (location.hash = `#/queues/${encodeURIComponent(queue)}`))}
        done="Task ${task} deleted"
      />
    </div>`
    }
    <div class="grid">
      ${
        t &&
        html`<section class="card" aria-labelledby="req"><h2 id="req">Request</h2>
        <dl class="kv">
          <dt>Method</dt><dd>${t.httpRequest?.httpMethod}</dd>
          <dt>URL</dt><dd class="mono">${t.httpRequest?.url}</dd>
          <dt>Schedule time</dt><dd>${time(t.scheduleTime)}</dd>
          <dt>Created</dt><dd>${time(t.createTime)}</dd>
          <dt>Attempts</dt><dd>${t.dispatchCount ?? 0} dispatched, ${t.responseCount ?? 0} answered</dd>
          <dt>Dispatch deadline</dt><dd>${t.dispatchDeadline}</dd>
          <dt>OIDC</dt>
          <dd>${
            t.httpRequest?.oidcToken
              ? `${t.httpRequest.oidcToken.serviceAccountEmail} (aud ${t.httpRequest.oidcToken.audience ?? 'the URL'})`
              : 'none'
          }</dd>
        </dl>
        <h2>Headers</h2>
        <table aria-label="Request headers"><tbody>
          ${Object.entries(headers).map(([k, v]) => html`<tr><th scope="row">${k}</th><td class="mono">${v}</td></tr>`)}
        </tbody></table>
        <h2>Body ${t.bodyJson !== undefined ? '(JSON)' : ''}</h2>
        ${t.bodyJson !== undefined ? html`<${Json} value=${t.bodyJson} />` : html`<pre>${t.bodyText ?? '(none)'}</pre>`}
      </section>`
      }
      <section class="card" aria-labelledby="att"><h2 id="att">Attempts</h2>
        ${
          data.attempts.length === 0
            ? html`<p class="muted">Not dispatched yet.</p>`
            : html`<ol class="timeline">${data.attempts.map(
                (a) => html`
          <li class=${a.outcome}>
            <strong>Attempt ${a.attempt}</strong>${a.runTask ? ' (run now)' : ''} · ${time(a.dispatchTime)} ·
            ${a.status ?? (a.timedOut ? 'deadline exceeded' : (a.error ?? 'no answer'))} · ${Math.round(a.latencyMs)} ms ·
            <span class="badge ${a.outcome}">${a.outcome}</span>
            ${a.nextScheduleTime && html`<div class="muted">next attempt at ${time(a.nextScheduleTime)}</div>`}
            <details><summary>Headers sent</summary>
              <table><tbody>
                ${Object.entries(a.requestHeaders).map(
                  ([k, v]) => html`<tr>
                  <th scope="row">${k}</th>
                  <td class="mono">${k.toLowerCase() === 'authorization' ? `${v.slice(0, 24)}…` : v}</td>
                </tr>`,
                )}
              </tbody></table>
            </details>
          </li>`,
              )}</ol>`
        }
      </section>
    </div>`;
}
