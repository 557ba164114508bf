// The console page: a hash router over the views; every view reads the console API and refreshes itself.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html, announce } from './lib.js';
import { Queues } from './queues.js';
import { TaskList, TaskDetail } from './tasks.js';
import { Attempts } from './attempts.js';
import { DeadLetters, DeadLetter } from './dead-letters.js';
import { Outbox, Email } from './outbox.js';
import { Orders, Reports } from './orders.js';
import { Run } from './timeline.js';

const NAV = [
  ['queues', 'Queues'],
  ['attempts', 'Attempts'],
  ['dead-letters', 'Dead letters'],
  ['outbox', 'Outbox'],
  ['orders', 'Orders'],
  ['reports', 'Reports'],
];

function route(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [view = 'queues', a, b, c] = parts;
  if (view === 'queues' && a && b === 'tasks' && c) return { view, el: html`<${TaskDetail} queue=${a} task=${c} />` };
  if (view === 'queues' && a) return { view, el: html`<${TaskList} queue=${a} />` };
  if (view === 'queues') return { view, el: html`<${Queues} />` };
  if (view === 'attempts') return { view, el: html`<${Attempts} />` };
  if (view === 'dead-letters') return { view, el: a ? html`<${DeadLetter} id=${a} />` : html`<${DeadLetters} />` };
  if (view === 'outbox') return { view, el: a ? html`<${Email} id=${a} />` : html`<${Outbox} />` };
  if (view === 'orders') return { view, el: html`<${Orders} id=${a} />` };
  if (view === 'reports') return { view, el: html`<${Reports} day=${a} />` };
  if (view === 'runs') return { view: 'reports', el: html`<${Run} day=${a} run=${b} />` };
  return { view, el: html`<p>No such view. <a href="#/queues">Queues</a></p>` };
}

function App() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => {
      setHash(location.hash);
      announce('');
      document.getElementById('main')?.focus();
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const { view, el } = route(hash);
  return html`
    <header>
      <strong>storefront-jobs console</strong>
      <nav aria-label="Views">
        ${NAV.map(([id, label]) => html`<a href="#/${id}" aria-current=${view === id ? 'page' : undefined}>${label}</a>`)}
      </nav>
      <span class="live" title="Views refresh themselves every 1-2 seconds">● live</span>
    </header>
    <main id="main" tabindex="-1">
      <div id="status" class="status" role="status" aria-live="polite"></div>
      ${el}
    </main>`;
}

render(html`<${App} />`, document.getElementById('app'));
