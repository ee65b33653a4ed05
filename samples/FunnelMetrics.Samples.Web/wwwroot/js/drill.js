// The drill-down: the clients behind a number, a page at a time, in a dialog.
import * as api from './api.js';
import { h, fill, count, seconds, instant, money, one } from './ui.js';

const pageSize = 50;

/** Creates the dialog once; returns open(spec, title) for the numbers of the page. */
export function createDrill(pipeline, { currency = 'EUR', timeZone = 'UTC', stageName = (key) => key } = {}) {
  const list = h('tbody');
  const heading = h('h2', { id: 'drill-title' });
  const total = h('p', { class: 'drill-total', 'data-testid': 'drill-total' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, 'Show more');
  const error = h('p', { class: 'problem', role: 'alert', hidden: true });
  const dialog = h('dialog', { id: 'drill', 'aria-labelledby': 'drill-title' },
    h('header', {}, heading, h('button', { type: 'button', class: 'close', 'aria-label': 'Close', onclick: () => dialog.close() }, '×')),
    total,
    error,
    h('table', { class: 'clients' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Client'), h('th', {}, 'Manager'), h('th', {}, 'Stage'), h('th', {}, 'Status'), h('th', {}, 'Since / at'), h('th', { class: 'right' }, 'Value'), h('th', { class: 'right' }, 'Idle'))),
      list),
    more);
  document.body.append(dialog);

  let current = null;
  let loaded = 0;

  async function load(reset) {
    const spec = current;
    error.hidden = true;
    try {
      const page = await api.clients(pipeline, spec, reset ? 0 : loaded, pageSize);
      if (spec !== current) return; // another number was clicked meanwhile
      if (reset) list.replaceChildren();
      for (const item of page.items) {
        list.append(h('tr', { 'data-client': item.clientId },
          h('td', { class: 'client' }, item.clientId),
          h('td', {}, item.owner),
          h('td', {}, item.stage ? stageName(item.stage) : '–'),
          h('td', {}, item.status ?? ''),
          h('td', {}, instant(item.at, timeZone)),
          h('td', { class: 'right' }, item.value === null || item.value === undefined ? '–' : money(item.value, currency)),
          h('td', { class: 'right' }, item.idle === null || item.idle === undefined ? '' : `${seconds(item.idle)}${item.overdue ? ` (×${one(item.overdue)})` : ''}`)));
      }
      loaded = page.offset + page.items.length;
      total.textContent = `${count(page.total)} ${page.total === 1 ? 'row' : 'rows'}${page.total > loaded ? `, ${count(loaded)} shown` : ''}`;
      total.dataset.value = String(page.total);
      more.hidden = loaded >= page.total;
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    }
  }

  more.addEventListener('click', () => load(false));

  return function open(spec, title) {
    current = spec;
    loaded = 0;
    heading.textContent = title || 'Clients';
    fill(list);
    total.textContent = 'Loading…';
    delete total.dataset.value;
    if (!dialog.open) dialog.showModal();
    return load(true);
  };
}
