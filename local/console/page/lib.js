// Shared pieces of the console page: the html tag, the API client, live polling, a confirm dialog, a chart.
import { h } from 'preact';
import { useEffect, useRef, useState, useCallback } from 'preact/hooks';
import htm from 'htm';
import uPlot from 'uplot';

export const html = htm.bind(h);

/** Calls the console API; throws an Error with the server's message on a non-2xx answer. */
export async function api(path, init = {}) {
  const res = await fetch(`/api/${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error?.message ?? `${res.status} ${res.statusText}`);
  return body;
}
export const post = (path, body = {}) => api(path, { method: 'POST', body: JSON.stringify(body) });

/** Reads `path` now and every `ms` while the view is shown; `reload()` reads at once (after an action). */
export function usePoll(path, ms = 2000) {
  const [state, setState] = useState({ data: undefined, error: undefined });
  const tick = useRef(0);
  const load = useCallback(async () => {
    if (!path) return;
    const mine = ++tick.current;
    try {
      const data = await api(path);
      if (mine === tick.current) setState({ data, error: undefined });
    } catch (err) {
      if (mine === tick.current) setState((s) => ({ data: s.data, error: err.message }));
    }
  }, [path]);
  useEffect(() => {
    setState({ data: undefined, error: undefined });
    load();
    const t = setInterval(() => document.visibilityState === 'visible' && load(), ms);
    return () => clearInterval(t);
  }, [load, ms]);
  return { ...state, reload: load };
}

export const short = (name) =>
  String(name ?? '')
    .split('/')
    .pop();
export const time = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { hour12: false }) : '');
export const Loading = ({ error }) =>
  error ? html`<p class="error" role="alert">${error}</p>` : html`<p class="muted">Loading…</p>`;
export const Json = ({ value }) => html`<pre>${JSON.stringify(value, null, 2)}</pre>`;

/**
 * A button that asks first (native modal dialog: focus moves in, Escape cancels), runs `action`, and reports the
 * outcome in the page's live region.
 */
export function ActionButton({ label, confirm, action, danger, done }) {
  const dialog = useRef(null);
  const run = async () => {
    dialog.current?.close();
    try {
      const result = await action();
      announce(typeof done === 'function' ? done(result) : (done ?? `${label}: done`));
    } catch (err) {
      announce(`${label} failed: ${err.message}`, true);
    }
  };
  if (!confirm) return html`<button class=${danger ? 'danger' : ''} onClick=${run}>${label}</button>`;
  return html`<button class=${danger ? 'danger' : ''} onClick=${() => dialog.current.showModal()}>${label}</button>
    <dialog ref=${dialog} aria-label=${label}>
      <p>${confirm}</p>
      <form method="dialog" class="actions">
        <button type="button" class="danger" onClick=${run}>${label}</button>
        <button autofocus value="cancel">Cancel</button>
      </form>
    </dialog>`;
}

export function announce(text, bad = false) {
  const el = document.getElementById('status');
  if (!el) return;
  el.textContent = text;
  el.className = `status ${bad ? 'error' : ''}`;
}

/** A uPlot chart that keeps its instance and only swaps the data on updates. */
export function Chart({ title, x, series, height = 200, bars = false }) {
  const box = useRef(null);
  const plot = useRef(null);
  const shape = series.map((s) => s.label).join('|');
  useEffect(() => {
    const opts = {
      title,
      width: Math.max(300, box.current.clientWidth - 16),
      height,
      scales: { x: { time: false } },
      axes: [{ values: (_u, vals) => vals.map((v) => x.labels?.[v] ?? v) }, {}],
      series: [
        { label: x.label, value: (_u, v) => (v == null ? '' : (x.labels?.[v] ?? v)) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: COLORS[i % COLORS.length],
          fill: `${COLORS[i % COLORS.length]}33`,
          width: 2,
          ...(bars ? { paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false } } : {}),
        })),
      ],
    };
    plot.current = new uPlot(opts, [x.values, ...series.map((s) => s.values)], box.current);
    return () => plot.current.destroy();
  }, [shape, title, bars]);
  useEffect(() => plot.current?.setData([x.values, ...series.map((s) => s.values)]), [x.values, series]);
  return html`<div class="chart" ref=${box} role="img" aria-label=${title}></div>`;
}
const COLORS = ['#1a56db', '#d97706', '#059669', '#db2777', '#7c3aed'];
