// A manager's page: my clients by stage, and the one thing a manager records: the action done with a client and the
// stage it reached. The server sees only this manager's clients (the sample's access policy); a refused action shows
// the rule in words, from the problem details.
import * as api from './api.js';
import { h, fill, count, seconds, money } from './ui.js';

const who = await api.me();
if (who.role !== 'manager') {
  // The head of sales has the team's page: go there, and stop this one here (the promise never settles).
  window.location.replace('/head.html');
  await new Promise(() => {});
}
const pipeline = who.pipeline;
document.getElementById('who').textContent = who.name;
document.getElementById('sign-out').addEventListener('click', api.signOut);

const definition = (await api.dashboard(pipeline, { owner: who.owner })).pipeline;
const stages = definition.stages;
const name = (key) => stages.find((st) => st.key === key)?.displayName ?? key;
const form = document.getElementById('record');
const clientInput = form.elements.client;
const actionSelect = form.elements.action;
const stageSelect = form.elements.stage;
const result = document.getElementById('result');
let mine = [];

fill(stageSelect, stages.map((st) => h('option', { value: st.key }, st.displayName)));

async function loadBoard() {
  const page = await api.clients(pipeline, { measure: 'InWork', owner: who.owner }, 0, 1000);
  mine = page.items;
  // "Now" is the server's (the list's instant; the sample's demo clock is not the browser's).
  const now = Date.parse(page.asOf ?? new Date().toISOString());
  const board = document.getElementById('board');
  fill(board, stages.filter((st) => st.key !== definition.wonStage).map((st) => {
    const here = mine.filter((c) => c.stage === st.key);
    return h('section', { class: 'column', 'data-stage': st.key },
      h('h3', {}, st.displayName, ' ', h('span', { class: 'badge', 'data-metric': `mine:${st.key}`, 'data-value': here.length }, count(here.length))),
      here.map((c) => h('button', {
        type: 'button',
        class: 'card',
        'data-client': c.clientId,
        onclick: () => choose(c),
      }, h('strong', {}, c.clientId), h('span', {}, `${seconds((now - Date.parse(c.at)) / 1000)} here`), c.value ? h('span', {}, money(c.value, definition.currencyCode)) : null)));
  }));
  fill(document.getElementById('my-clients'), mine.map((c) => h('option', { value: c.clientId }, `${c.clientId} (${name(c.stage)})`)));
  document.getElementById('total').textContent = `${count(mine.length)} clients in work`;
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

/** A card clicked: that client in the form, the next stage proposed. */
function choose(c) {
  clientInput.value = c.clientId;
  actionSelect.value = 'move';
  const index = stages.findIndex((st) => st.key === c.stage);
  stageSelect.value = stages[Math.min(index + 1, stages.length - 1)].key;
  syncFields();
  clientInput.focus();
}

function syncFields() {
  const action = actionSelect.value;
  form.querySelector('.stage-field').hidden = !(action === 'move' || action === 'reopen');
  form.querySelector('.reason-field').hidden = action !== 'lose';
}

actionSelect.addEventListener('change', syncFields);
syncFields();

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const id = clientInput.value.trim();
  const action = actionSelect.value;
  const note = form.elements.note.value.trim() || undefined;
  const body = action === 'move' || action === 'reopen'
    ? { stage: stageSelect.value, note }
    : action === 'lose' ? { lostReason: form.elements.reason.value.trim() || undefined, note } : { note };
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  fill(result);
  result.className = '';
  try {
    const recorded = await api.record(pipeline, id, action, body);
    result.className = 'ok';
    result.setAttribute('role', 'status');
    fill(result, h('strong', {}, 'Recorded. '), describe(id, action, recorded));
    form.elements.note.value = '';
    await loadBoard();
  } catch (e) {
    result.className = 'problem';
    result.setAttribute('role', 'alert');
    const p = e.problem || {};
    fill(result,
      h('strong', { class: 'problem-title' }, p.title || 'Refused'),
      h('p', { class: 'problem-detail', 'data-testid': 'problem-detail' }, p.detail || e.message),
      p.rule ? h('p', { class: 'problem-rule' }, `Rule: ${p.rule}`) : null);
  } finally {
    button.disabled = false;
  }
});

function describe(id, action, recorded) {
  const kind = recorded?.kind ? ` (${String(recorded.kind).toLowerCase()})` : '';
  if (action === 'move') return `${id} reached “${name(stageSelect.value)}”${kind}.`;
  if (action === 'reopen') return `${id} reopened into “${name(stageSelect.value)}”.`;
  if (action === 'lose') return `${id} marked lost.`;
  return `Activity with ${id} recorded.`;
}

await loadBoard();

api.follow(pipeline, () => loadBoard().catch(() => {}), (state) => {
  const live = document.getElementById('live');
  live.dataset.state = state;
  live.textContent = state === 'live' ? 'Live' : 'Reconnecting…';
}, { owner: who.owner });
