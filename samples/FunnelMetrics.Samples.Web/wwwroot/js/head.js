// The head of sales' page: the whole dashboard from one request, drawn again whenever the warm model's stream says the
// pipeline changed (no reload, no polling). Every count opens the clients behind it.
import * as api from './api.js';
import { createDrill } from './drill.js';
import { h, fill, num, bar, stacked, range, forecastBand, waterfallChart, sparkline, accuracyChart, count, one, percent, money, estimate, seconds, toSeconds, instant, day } from './ui.js';

const who = await api.me();
if (who.role !== 'head') {
  // A manager's page is theirs: go there, and stop this one here (the promise never settles).
  window.location.replace('/manager.html');
  await new Promise(() => {});
}
const pipeline = who.pipeline;
document.getElementById('who').textContent = who.name;
document.getElementById('sign-out').addEventListener('click', api.signOut);

let dash = await api.dashboard(pipeline);
const drill = createDrill(pipeline, {
  currency: dash.pipeline.currencyCode,
  timeZone: dash.timeZone,
  stageName: (key) => dash.pipeline.stages.find((st) => st.key === key)?.displayName ?? key,
});
const live = document.getElementById('live');
let renders = 0;

function render(d) {
  renders += 1;
  document.body.dataset.renders = String(renders);
  const stages = d.pipeline.stages;
  const name = (key) => stages.find((st) => st.key === key)?.displayName ?? key;
  const ctx = { d, stages, name, open: drill };
  document.getElementById('as-of').textContent = `${day(d.day)} · as of ${instant(d.asOf, d.timeZone)}`;
  document.body.dataset.asOf = d.asOf;
  document.getElementById('pipeline-name').textContent = d.pipeline.name;
  renderKpis(ctx);
  renderFunnel(ctx);
  renderMoney(ctx);
  renderOwners(ctx);
  renderToday(ctx);
  renderWaterfall(ctx);
  renderSpeed(ctx);
  renderConversion(ctx);
  renderDropOff(ctx);
  renderTrends(ctx);
  renderStuck(ctx);
  renderOverdue(ctx);
  renderSlipped(ctx);
  renderForecast(ctx);
}

const byStage = (list, key) => (list || []).find((x) => x.stage === key);
/** A window of the JSON contract ({ start, end }) as the drill-down's from and to. */
const fromTo = (w) => ({ from: w.start ?? w.from, to: w.end ?? w.to });
const todayWindow = (d) => fromTo(d.todayWindow);
const ownerName = (owner) => owner ?? 'Team';

function renderKpis({ d, open }) {
  const f = d.funnel;
  const won = d.pipeline.wonStage;
  const m = d.month;
  const hz = d.forecast.horizon;
  const base = m.closed ? 0 : m.wonSoFar; // the horizon's wins come on top of the month's wins so far
  fill(document.getElementById('kpis'),
    kpi('In work', num(count(f.inWork), { metric: 'funnel:inWork', value: f.inWork, spec: { measure: 'InWork', asOf: d.asOf }, title: 'Clients in work', onDrill: open })),
    kpi('Won', num(count(f.won), { metric: 'funnel:won', value: f.won, spec: { measure: 'InStage', stage: won, asOf: d.asOf }, title: 'Won clients', onDrill: open })),
    kpi('Lost', num(count(f.lost), { metric: 'funnel:lost', value: f.lost, spec: { measure: 'ClosedLost', asOf: d.asOf }, title: 'Lost clients', onDrill: open })),
    kpi('Stalled', num(count(d.stalled.total), { metric: 'stalled:total', value: d.stalled.total, spec: { measure: 'Stalled', asOf: d.asOf }, title: 'Stalled clients, the most overdue first', onDrill: open })),
    kpi('Won this month', num(count(m.wonSoFar), { metric: 'month:wonSoFar', value: m.wonSoFar, spec: monthSpec(d), title: 'Wins this month', onDrill: open }), ` of ${count(m.targetWins)}`),
    kpi('Month forecast', h('span', { class: 'num static', 'data-metric': 'forecast:p50', 'data-value': base + hz.p50 }, count(base + hz.p50)),
      ` (${count(base + hz.p10)}–${count(base + hz.p90)})`));
}

function kpi(label, ...value) {
  return h('div', { class: 'kpi' }, h('div', { class: 'kpi-label' }, label), h('div', { class: 'kpi-value' }, ...value));
}

/** The wins of the month so far: a window from the month's first midnight (in the dashboard's zone; UTC in the sample). */
function monthSpec(d) {
  if (d.timeZone !== 'UTC' || d.month.closed) return null;
  return { measure: 'Won', from: `${d.day.slice(0, 7)}-01T00:00:00Z`, to: d.asOf };
}

function renderFunnel({ d, stages, open }) {
  // The open stages share one scale; the won stage (every win to date) would flatten them, so it is a line of its own.
  const won = d.pipeline.wonStage;
  const max = Math.max(1, ...d.funnel.stages.filter((x) => x.stage !== won).map((x) => x.clients));
  const rows = stages.map((st) => {
    const c = byStage(d.funnel.stages, st.key)?.clients ?? 0;
    const isWon = st.key === won;
    return h('div', { class: `chart-row${isWon ? ' won' : ''}` },
      h('span', { class: 'label' }, isWon ? `${st.displayName} (won to date)` : st.displayName),
      isWon ? h('span', { class: 'note' }, 'not on the scale of the open stages') : bar(c, max, { width: 320, label: `${st.displayName}: ${c}` }),
      num(count(c), { metric: `funnel:${st.key}`, value: c, spec: { measure: 'InStage', stage: st.key, asOf: d.asOf }, title: `In “${st.displayName}”`, onDrill: open }));
  });
  fill(document.getElementById('funnel'), rows);
}

function renderOwners({ d, stages, open }) {
  const owners = d.funnel.byOwner;
  const won = d.pipeline.wonStage;
  const max = Math.max(1, ...owners.flatMap((o) => o.stages.filter((x) => x.stage !== won).map((x) => x.clients)));
  const wonMax = Math.max(1, ...owners.flatMap((o) => o.stages.filter((x) => x.stage === won).map((x) => x.clients)));
  const head = h('tr', {}, h('th', {}, 'Manager'), stages.map((st) => h('th', { title: st.displayName }, shortName(st.displayName))), h('th', { class: 'right' }, 'In work'));
  const body = owners.map((o) => h('tr', { 'data-owner': o.owner },
    h('th', { scope: 'row' }, o.owner),
    stages.map((st) => {
      const c = byStage(o.stages, st.key)?.clients ?? 0;
      return h('td', { class: 'cell' },
        bar(c, st.key === won ? wonMax : max, { width: 56, height: 10, tone: st.key === won ? 'won' : 'main', label: `${o.owner}, ${st.displayName}: ${c}` }),
        num(count(c), { metric: `funnel:${o.owner}:${st.key}`, value: c, spec: { measure: 'InStage', stage: st.key, asOf: d.asOf, owner: o.owner }, title: `${o.owner} in “${st.displayName}”`, onDrill: open }));
    }),
    h('td', { class: 'right' }, num(count(o.inWork), { metric: `funnel:${o.owner}:inWork`, value: o.inWork, spec: { measure: 'InWork', asOf: d.asOf, owner: o.owner }, title: `${o.owner}: in work`, onDrill: open }))));
  fill(document.getElementById('owners'), h('table', { class: 'grid' }, h('thead', {}, head), h('tbody', {}, body)));
}

function shortName(text) {
  return text.length > 12 ? `${text.slice(0, 11)}…` : text;
}

const flows = [
  { key: 'new', label: 'New', measure: 'New' },
  { key: 'forwardMoves', label: 'Forward', measure: 'MovedForward' },
  { key: 'regressions', label: 'Back', measure: 'Regressed' },
  { key: 'wins', label: 'Won', measure: 'Won' },
  { key: 'losses', label: 'Lost', measure: 'Lost' },
];

function renderToday({ d, stages, open }) {
  const window = todayWindow(d);
  const max = Object.fromEntries(flows.map((f) => [f.key, Math.max(1, ...d.today.flatMap((x) => [x.today[f.key], x.averagePerWorkingDay[f.key]]))]));
  const days = d.today[0]?.averagePerWorkingDay.days ?? 0;
  const head = h('tr', {}, h('th', {}, ''), flows.map((f) => h('th', {}, f.label)));
  const body = d.today.map((x) => h('tr', { 'data-owner': x.owner ?? 'team', class: x.owner ? '' : 'team' },
    h('th', { scope: 'row' }, ownerName(x.owner)),
    flows.map((f) => h('td', { class: 'cell' },
      num(count(x.today[f.key]), { metric: `today:${x.owner ?? 'team'}:${f.key}`, value: x.today[f.key], spec: { measure: f.measure, ...window, owner: x.owner ?? undefined }, title: `${ownerName(x.owner)}: ${f.label.toLowerCase()} today`, onDrill: open }),
      bar(x.today[f.key], max[f.key], { width: 64, height: 10, tick: x.averagePerWorkingDay[f.key], label: `today ${x.today[f.key]}, average ${one(x.averagePerWorkingDay[f.key])}` }),
      h('span', { class: 'avg', 'data-metric': `average:${x.owner ?? 'team'}:${f.key}` }, `avg ${one(x.averagePerWorkingDay[f.key])}`)))));
  const team = d.today.find((x) => x.owner === null || x.owner === undefined) ?? d.today[0];
  const emax = Math.max(1, ...team.stages.flatMap((x) => [x.entered, x.averagePerWorkingDay]));
  const entered = stages.map((st) => {
    const x = byStage(team.stages, st.key) ?? { entered: 0, averagePerWorkingDay: 0 };
    return h('div', { class: 'chart-row' },
      h('span', { class: 'label' }, st.displayName),
      bar(x.entered, emax, { width: 240, tick: x.averagePerWorkingDay, label: `${st.displayName}: ${x.entered} today, average ${one(x.averagePerWorkingDay)}` }),
      num(count(x.entered), { metric: `entered:${st.key}`, value: x.entered, spec: { measure: 'Entered', stage: st.key, ...window }, title: `Entered “${st.displayName}” today`, onDrill: open }),
      h('span', { class: 'avg' }, `avg ${one(x.averagePerWorkingDay)}`));
  });
  fill(document.getElementById('today'),
    h('p', { class: 'note' }, `Today against the average of the previous ${days} working days (the bar is today, the mark the average).`),
    h('table', { class: 'grid today' }, h('thead', {}, head), h('tbody', {}, body)),
    h('h3', {}, 'Entered each stage today'),
    entered);
}

function renderSpeed({ d, stages, open }) {
  const open1 = stages.filter((st) => st.key !== d.pipeline.wonStage);
  const rows = open1.map((st) => ({ st, t: byStage(d.timeInStage.stages, st.key) })).filter((x) => x.t);
  const value = (e) => toSeconds(e?.value ?? e?.moreThan ?? null);
  const max = Math.max(1, ...rows.map((x) => value(x.t.p90) ?? value(x.t.median) ?? 0));
  const speedWindow = d.speedWindow ? fromTo(d.speedWindow) : { from: d.timeInStage.from, to: d.timeInStage.asOf };
  fill(document.getElementById('speed'),
    rows.map(({ st, t }) => h('div', { class: 'chart-row' },
      h('span', { class: 'label' }, st.displayName),
      range(value(t.median), value(t.p90), max, { width: 260, lowOpen: !t.median?.value && !!t.median?.moreThan, highOpen: !t.p90?.value && !!t.p90?.moreThan, label: `${st.displayName}: median ${estimate(t.median)}, p90 ${estimate(t.p90)}` }),
      h('span', { class: 'pair' },
        'median ', num(estimate(t.median), { metric: `speed:${st.key}:median`, value: value(t.median), spec: { measure: 'Entered', stage: st.key, ...speedWindow }, title: `Entered “${st.displayName}” in the window`, onDrill: open }),
        ' · p90 ', num(estimate(t.p90), { metric: `speed:${st.key}:p90`, value: value(t.p90), spec: { measure: 'Entered', stage: st.key, ...speedWindow }, title: `Entered “${st.displayName}” in the window`, onDrill: open })),
      h('span', { class: 'still' }, num(count(t.openVisits), { metric: `speed:${st.key}:open`, value: t.openVisits, spec: { measure: 'InStage', stage: st.key, asOf: d.asOf }, title: `Still in “${st.displayName}”`, onDrill: open }), ' still there'))),
    h('p', { class: 'note censoring' },
      'Median and p90 count the clients still in a stage as well as those who left it (Kaplan–Meier, censored at now), so a stage where slow clients are still waiting does not look fast. ',
      '“> x” means too many are still waiting for the estimate to reach that level: it is more than x. ',
      `Window: ${day(speedWindow.from.slice(0, 10))} to ${day(speedWindow.to.slice(0, 10))}.`));
  const ct = d.velocity?.cycleTime;
  if (ct) {
    document.getElementById('speed').append(h('p', { class: 'note' }, `Cycle time to a win: median ${seconds(ct.median)}, p90 ${seconds(ct.p90)} over ${count(ct.count)} wins.`));
  }
}

function renderConversion({ d, stages, open }) {
  const c = d.conversion;
  const window = { from: c.from, to: c.to };
  const rows = stages.filter((st) => st.key !== d.pipeline.wonStage).map((st) => ({ st, x: byStage(c.stages, st.key) })).filter((r) => r.x);
  fill(document.getElementById('conversion'),
    rows.map(({ st, x }) => h('div', { class: 'chart-row' },
      h('span', { class: 'label' }, st.displayName),
      stacked([
        { name: 'moved on', share: x.advancedShare + (x.advancedLateShare || 0), tone: 'advanced' },
        { name: 'lost', share: x.lostShare, tone: 'lost' },
        { name: 'still there', share: x.remainingShare, tone: 'remaining' },
      ], { width: 240, label: `${st.displayName}: ${percent(x.advancedShare)} moved on` }),
      h('span', { class: 'pair' },
        h('span', { 'data-metric': `conversion:${st.key}:advancedShare` }, percent(x.advancedShare + (x.advancedLateShare || 0))), ' moved on of ',
        num(count(x.cohort), { metric: `conversion:${st.key}:cohort`, value: x.cohort, spec: { measure: 'Entered', stage: st.key, ...window }, title: `Entered “${st.displayName}” in the window`, onDrill: open })))),
    h('p', { class: 'legend' }, h('i', { class: 'sw advanced' }), 'moved on ', h('i', { class: 'sw lost' }), 'lost ', h('i', { class: 'sw remaining' }), 'still there'),
    h('p', { class: 'note' }, 'Win rate in the window: ', h('strong', {}, percent(c.winRate?.rate)), ' (',
      num(count(c.winRate?.won), { metric: 'conversion:won', value: c.winRate?.won, spec: { measure: 'Won', ...window }, title: 'Won in the window', onDrill: open }), ' won, ',
      num(count(c.winRate?.lost), { metric: 'conversion:lost', value: c.winRate?.lost, spec: { measure: 'Lost', ...window }, title: 'Lost in the window', onDrill: open }), ' lost).'));
}

function renderMoney({ d, stages, open }) {
  const v = d.value;
  const cur = v.currencyCode || d.pipeline.currencyCode;
  const won = d.pipeline.wonStage;
  const rows = stages.filter((st) => st.key !== won).map((st) => ({ st, x: byStage(v.stages, st.key) })).filter((r) => r.x);
  const max = Math.max(1, ...rows.map((r) => r.x.value));
  const head = h('tr', {}, h('th', {}, 'Stage'), h('th', {}, ''), h('th', { class: 'right' }, 'Clients'), h('th', { class: 'right' }, 'Value'),
    h('th', { class: 'right', title: 'Clients without a deal value: not counted as zero' }, 'No value'),
    h('th', { class: 'right', title: "Value × the stage's configured win probability" }, 'Weighted (stage)'),
    h('th', { class: 'right', title: "The forecast chain's probability of winning from the stage" }, 'Chain win'),
    h('th', { class: 'right', title: "Value × the chain's win probability" }, 'Weighted (chain)'));
  const body = rows.map(({ st, x }) => h('tr', { 'data-stage': st.key },
    h('th', { scope: 'row' }, st.displayName),
    h('td', {}, bar(x.value, max, { width: 160, height: 10, tick: x.weightedByChain, label: `${st.displayName}: ${money(x.value, cur)}, weighted ${money(x.weightedByChain, cur)}` })),
    h('td', { class: 'right' }, num(count(x.clients), { metric: `money:${st.key}:clients`, value: x.clients, spec: { measure: 'InStage', stage: st.key, asOf: d.asOf }, title: `In “${st.displayName}”`, onDrill: open })),
    h('td', { class: 'right' }, h('span', { 'data-metric': `money:${st.key}:value`, 'data-value': x.value }, money(x.value, cur))),
    h('td', { class: 'right' }, count(x.missing)),
    h('td', { class: 'right' }, money(x.weightedByStageProbability, cur)),
    h('td', { class: 'right' }, percent(x.chainWinProbability)),
    h('td', { class: 'right' }, money(x.weightedByChain, cur))));
  const o = v.open;
  const total = h('tr', { class: 'team' }, h('th', { scope: 'row' }, 'Open pipeline'), h('td', {}, ''),
    h('td', { class: 'right' }, num(count(o.clients), { metric: 'money:open:clients', value: o.clients, spec: { measure: 'InWork', asOf: d.asOf }, title: 'Clients in work', onDrill: open })),
    h('td', { class: 'right' }, h('span', { 'data-metric': 'money:open:value', 'data-value': o.value }, money(o.value, cur))),
    h('td', { class: 'right' }, count(o.missing)),
    h('td', { class: 'right' }, money(o.weightedByStageProbability, cur)),
    h('td', { class: 'right' }, ''),
    h('td', { class: 'right' }, h('strong', { 'data-metric': 'money:open:weightedByChain' }, money(o.weightedByChain, cur))));
  fill(document.getElementById('money'),
    h('table', { class: 'grid' }, h('thead', {}, head), h('tbody', {}, body, total)),
    h('p', { class: 'note' }, `The open pipeline as of now: the sum of the deal values per stage (the bar), weighted by the chance of winning (the mark). Won so far ${count(v.won.clients)} clients worth ${money(v.won.value, cur)}; lost ${count(v.lost.clients)} worth ${money(v.lost.value, cur)}.`));
}

function renderWaterfall({ d, stages, name, open }) {
  const w = d.waterfall;
  const t = w.total;
  const cur = d.pipeline.currencyCode;
  const steps = [
    { key: 'openAtStart', label: 'Open at start', line: t.openAtStart, kind: 'total' },
    { key: 'new', label: 'New', line: t.new, sign: 1 },
    { key: 'reopened', label: 'Reopened', line: t.reopened, sign: 1 },
    { key: 'won', label: 'Won', line: t.won, sign: -1 },
    { key: 'lost', label: 'Lost', line: t.lost, sign: -1 },
    { key: 'valueIncreased', label: 'Value up', line: t.valueIncreased, sign: 1, valueOnly: true },
    { key: 'valueDecreased', label: 'Value down', line: t.valueDecreased, sign: -1, valueOnly: true },
    { key: 'openAtEnd', label: 'Open now', line: t.openAtEnd, kind: 'total' },
  ];
  // Only the two ends are lists of the drill-down (the clients in work then); the parts compare each client's two ends, which no list measure does.
  const drillOf = { openAtEnd: { measure: 'InWork', asOf: w.end }, openAtStart: { measure: 'InWork', asOf: w.start } };
  const head = h('tr', {}, h('th', {}, 'Stage'), ['Start', 'New', 'Reopened', 'Moved in', 'Moved out', 'Won', 'Lost', 'Now'].map((c) => h('th', { class: 'right' }, c)));
  const cells = (x) => [x.openAtStart, x.new, x.reopened, x.movedInTotal, x.movedOutTotal, x.won, x.lost, x.openAtEnd];
  const body = (w.stages || []).map((x) => h('tr', { 'data-stage': x.stage }, h('th', { scope: 'row' }, name(x.stage)),
    cells(x).map((line, i) => h('td', { class: 'right', 'data-metric': `waterfall:${x.stage}:${i}`, 'data-value': line.clients, title: money(line.value, cur) }, count(line.clients)))));
  fill(document.getElementById('waterfall'),
    waterfallChart(steps.map((st) => ({ label: st.label, value: st.line.value, sign: st.sign ?? 0, total: st.kind === 'total' })), { format: (v) => money(v, cur) }),
    h('p', { class: 'legend' },
      steps.map((st) => h('span', { class: 'pair' }, `${st.label}: `,
        st.valueOnly ? h('span', { 'data-metric': `waterfall:${st.key}`, 'data-value': st.line.value }, money(st.line.value, cur))
          : num(count(st.line.clients), { metric: `waterfall:${st.key}`, value: st.line.clients, spec: drillOf[st.key], title: `${st.label} (${day(w.firstDay)} to ${day(w.lastDay)})`, onDrill: open }),
        st.valueOnly ? '' : ` (${money(st.line.value, cur)})`, ' · '))),
    h('p', { class: 'note' }, `From ${day(w.firstDay)} to ${day(w.lastDay)}, each client compared at both ends: the parts add up exactly to the pipeline open now, by count and by value. Entered and won within the month: ${count(w.enteredAndWon.clients)}; entered and lost: ${count(w.enteredAndLost.clients)}. Expected close date pushed past the month: ${count(t.closeDatePushedOut.clients)}, pulled in: ${count(t.closeDatePulledIn.clients)}.`),
    h('table', { class: 'grid' }, h('thead', {}, head), h('tbody', {}, body)));
}

function renderDropOff({ d, name, open }) {
  const c = d.conversion;
  const window = { from: c.from, to: c.to };
  const drops = c.dropOffs || [];
  fill(document.getElementById('dropoff'),
    drops.map((x) => h('div', { class: 'chart-row', 'data-stage': x.stage },
      h('span', { class: 'label' }, `${name(x.stage)} → ${name(x.nextStage)}`),
      stacked([
        { name: 'passed', share: x.cohort ? x.passed / x.cohort : 0, tone: 'advanced' },
        { name: 'dropped', share: x.share, tone: 'lost' },
        { name: 'still open', share: x.cohort ? x.stillOpen / x.cohort : 0, tone: 'remaining' },
      ], { width: 200, label: `${name(x.stage)}: ${percent(x.share)} dropped` }),
      h('span', { class: 'pair' },
        h('strong', { 'data-metric': `dropoff:${x.stage}`, 'data-value': x.share }, percent(x.share)), ' dropped of ',
        num(count(x.cohort), { metric: `dropoff:${x.stage}:cohort`, value: x.cohort, spec: { measure: 'Entered', stage: x.stage, ...window }, title: `Entered “${name(x.stage)}” in the window`, onDrill: open }),
        ` · by value ${percent(x.valueShare)}`))),
    h('p', { class: 'note' }, 'Of the clients who first reached a stage in the window, the share lost before passing it to the next one (still open ones are not dropped yet). By value: the same over their deal values.'));
}

function renderTrends({ d, stages, name }) {
  const t = d.trends;
  const periods = t.periods || [];
  const open1 = stages.filter((st) => st.key !== d.pipeline.wonStage);
  const median = (x) => toSeconds(x?.median?.value ?? null);
  const rows = open1.map((st) => {
    const days = periods.map((p) => { const v = median(byStage(p.stages, st.key)); return v === null ? null : v / 86400; });
    const drops = periods.map((p) => byStage(p.stages, st.key)?.dropOff ?? null);
    const last = days.filter((v) => v !== null).at(-1);
    return h('div', { class: 'chart-row', 'data-stage': st.key },
      h('span', { class: 'label' }, st.displayName),
      sparkline(days, { width: 120, label: `${st.displayName}: median days per ${t.period.toLowerCase()} of entry` }),
      h('span', { class: 'pair', 'data-metric': `trend:${st.key}:median` }, last === undefined ? '–' : `${one(last)} d`),
      sparkline(drops, { width: 90, tone: 'lost', label: `${st.displayName}: drop-off per ${t.period.toLowerCase()} of entry` }),
      h('span', { class: 'pair', 'data-metric': `trend:${st.key}:dropOff` }, percent(drops.filter((v) => v !== null).at(-1))));
  });
  fill(document.getElementById('trends'),
    rows,
    h('p', { class: 'note' }, `Per ${t.period.toLowerCase()} in which clients entered each stage, ${periods[0]?.key ?? ''} to ${periods.at(-1)?.key ?? ''}: the median days in the stage (censoring-aware, first line) and the drop-off (second line); the last period is still running.`));
}

function renderSlipped({ d, name, open }) {
  const x = d.slipped;
  const cur = d.pipeline.currencyCode;
  fill(document.getElementById('slipped'),
    h('p', { class: 'note' },
      num(count(x.slipped), { metric: 'slipped:total', value: x.slipped, spec: { measure: 'Slipped', asOf: d.asOf }, title: 'Open clients past their expected close date', onDrill: open }),
      ` open clients are past their expected close date, worth ${money(x.slippedValue, cur)}; ${count(x.noCloseDate)} of ${count(x.open)} have no date.`),
    (x.clients || []).length === 0 ? null : h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Client'), h('th', {}, 'Manager'), h('th', {}, 'Stage'), h('th', {}, 'Expected'), h('th', { class: 'right' }, 'Days over'), h('th', { class: 'right' }, 'Value'))),
      h('tbody', {}, x.clients.map((c) => h('tr', { 'data-client': c.clientId },
        h('td', { class: 'client' }, c.clientId),
        h('td', {}, c.owner),
        h('td', {}, name(c.stage)),
        h('td', {}, day(c.expectedCloseDate)),
        h('td', { class: 'right' }, count(c.daysOverdue)),
        h('td', { class: 'right' }, money(c.value, cur)))))));
}

function renderStuck({ d, name, open }) {
  const ranked = [...(d.stuckStages.stages || [])].sort((a, b) => a.rank - b.rank);
  const rows = ranked.map((x) => h('tr', { 'data-stage': x.stage },
    h('td', {}, String(x.rank)),
    h('td', {}, name(x.stage)),
    h('td', { class: 'right' }, num(count(x.current.stalled), { metric: `stuck:${x.stage}:stalled`, value: x.current.stalled, spec: { measure: 'Stalled', stage: x.stage, asOf: d.asOf }, title: `Stalled in “${name(x.stage)}”`, onDrill: open })),
    h('td', { class: 'right' }, num(count(x.current.clients), { metric: `stuck:${x.stage}:clients`, value: x.current.clients, spec: { measure: 'InStage', stage: x.stage, asOf: d.asOf }, title: `In “${name(x.stage)}”`, onDrill: open })),
    h('td', { class: 'right' }, percent(x.current.stalledShare)),
    h('td', { class: 'right' }, trend(x.change?.stalled))));
  fill(document.getElementById('stuck'), h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'Stage'), h('th', { class: 'right' }, 'Stalled'), h('th', { class: 'right' }, 'In stage'), h('th', { class: 'right' }, 'Share'), h('th', { class: 'right' }, 'vs before'))),
    h('tbody', {}, rows)));
}

function trend(delta) {
  if (delta === null || delta === undefined) return '';
  if (delta > 0) return h('span', { class: 'up' }, `▲ ${delta}`);
  if (delta < 0) return h('span', { class: 'down' }, `▼ ${-delta}`);
  return '=';
}

function renderOverdue({ d, name }) {
  const list = d.stalled.mostOverdue || [];
  fill(document.getElementById('overdue'), list.length === 0 ? h('p', { class: 'note' }, 'No client is overdue.') : h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Client'), h('th', {}, 'Manager'), h('th', {}, 'Stage'), h('th', { class: 'right' }, 'Idle'), h('th', { class: 'right' }, 'Over threshold'))),
    h('tbody', {}, list.map((c) => h('tr', { 'data-client': c.clientId },
      h('td', { class: 'client' }, c.clientId),
      h('td', {}, c.owner),
      h('td', {}, name(c.stage)),
      h('td', { class: 'right' }, seconds(c.idle)),
      h('td', { class: 'right' }, `×${one(c.overdue)}`))))));
}

function renderForecast({ d, open }) {
  const m = d.month;
  const f = d.forecast;
  const hz = f.horizon;
  const won = m.closed ? 0 : m.wonSoFar;
  const target = f.target;
  fill(document.getElementById('forecast'),
    forecastBand({ p10: hz.p10, p50: hz.p50, p90: hz.p90, expected: hz.expectedWins, wonSoFar: won, target: m.targetWins }),
    h('p', { class: 'legend' }, h('i', { class: 'sw won' }), 'won so far ', h('i', { class: 'sw band' }), 'P10–P90 of the month ', h('i', { class: 'sw p50' }), 'P50 ', h('i', { class: 'sw target' }), 'target'),
    h('dl', { class: 'facts' },
      h('dt', {}, m.closed ? 'Next month' : 'This month'), h('dd', {}, `${count(won)} won so far; ${count(won + hz.p10)} to ${count(won + hz.p90)} by ${day(hz.end.slice(0, 10))} (P10–P90), P50 ${count(won + hz.p50)}, expected ${one(won + hz.expectedWins)}`),
      h('dt', {}, 'Target'), h('dd', {}, `${count(m.targetWins)} wins${m.targetGiven ? '' : ' (the recent pace)'}`),
      h('dt', {}, 'Expected value'), h('dd', {}, money(hz.expectedValue, d.pipeline.currencyCode)),
      h('dt', {}, 'From'), h('dd', {}, num(count(f.openClients), { metric: 'forecast:openClients', value: f.openClients, spec: { measure: 'InWork', asOf: d.asOf }, title: 'The open clients the forecast is built from', onDrill: open }), ' open clients'),
      target ? [h('dt', {}, 'Intake needed'), h('dd', {}, target.withinHorizonDailyIntake > 0 ? `${one(target.withinHorizonDailyIntake)} new clients per day to reach the target by the month's end` : 'none: the clients in work are expected to reach the target')] : null),
    (f.limitations || []).length ? h('ul', { class: 'limitations' }, f.limitations.map((l) => h('li', {}, l.message ?? l.kind ?? String(l)))) : null);
}

/** The past months' forecasts against their actual wins: read once, since closed months do not change with a move. */
async function renderAccuracy() {
  const box = document.getElementById('accuracy');
  try {
    const b = await api.forecastAccuracy(pipeline);
    const points = b.points || [];
    fill(box,
      points.length ? accuracyChart(points.map((p) => ({ label: p.madeAt.slice(0, 7), predicted: p.predicted, p10: p.p10, p90: p.p90, actual: p.actual }))) : h('p', { class: 'note' }, 'No past month had a history to forecast from.'),
      h('p', { class: 'legend' }, h('i', { class: 'sw band' }), 'P10–P90 forecast at the month start ', h('i', { class: 'sw p50' }), 'expected ', h('i', { class: 'sw won' }), 'actual wins'),
      h('p', { class: 'note', 'data-metric': 'accuracy:points', 'data-value': points.length },
        `${count(points.length)} months; mean absolute error ${one(b.meanAbsoluteError)} wins, mean error ${one(b.meanError)} (positive: forecast too high), actual within P10–P90 in ${percent(b.coverage)} of them`,
        b.skipped ? `; ${count(b.skipped)} earlier months had no history to forecast from.` : '.'));
  } catch (e) {
    fill(box, h('p', { class: 'note error' }, `The backtest could not be read: ${e.message}`));
  }
}

// Started last: the helpers above are module constants, defined only once the module has run down to here.
render(dash);
renderAccuracy();

// Live: the stream sends the whole dashboard at each new snapshot of the warm model; the page draws it in place.
api.follow(pipeline, (next) => {
  dash = next;
  render(dash);
}, (state) => {
  live.dataset.state = state;
  live.textContent = state === 'live' ? 'Live' : state === 'reconnecting' ? 'Reconnecting…' : 'Disconnected';
});
