// The sample's only knowledge of the HTTP API: the routes of FunnelMetrics.AspNetCore's MapFunnelMetrics() (mapped by
// the sample under /api), the account routes of the sample itself, and how an RFC 9457 problem reads.

export const apiBase = '/api';

/** A refused request: the problem details the server sent (title, detail, type, status and the rule's extensions). */
export class ProblemError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function send(url, init = {}) {
  const response = await fetch(url, { credentials: 'same-origin', ...init, headers: { Accept: 'application/json, application/problem+json', ...(init.headers || {}) } });
  if (response.status === 401) {
    // The session ended (or never began): back to the sign-in.
    window.location.assign('/');
    throw new ProblemError(401, { title: 'Not signed in' });
  }

  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new ProblemError(response.status, body || { title: response.statusText });
  }

  return body;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const pipelinePath = (pipeline) => `${apiBase}/pipelines/${encodeURIComponent(pipeline)}`;
const clientPath = (pipeline, client) => `${pipelinePath(pipeline)}/clients/${encodeURIComponent(client)}`;

/** Who is signed in: { name, role: 'head' | 'manager', owner, pipeline }. */
export const me = () => send('/account/me');

/** The head of sales' dashboard, as one document (FunnelDashboard in the JSON contract). */
export const dashboard = (pipeline, params = {}) => send(`${pipelinePath(pipeline)}/dashboard${query(params)}`);

/**
 * The rows behind a count (a ClientList page): spec = { measure, stage, asOf, from, to, owner }, then offset and limit.
 */
export const clients = (pipeline, spec, offset = 0, limit = 50) =>
  send(`${pipelinePath(pipeline)}/clients${query({ ...spec, offset, limit })}`);

/** A client and its current state. */
export const client = (pipeline, id) => send(clientPath(pipeline, id));

/**
 * Records one action with a client: kind is 'move', 'lose', 'reopen' or 'activity'. A fresh Idempotency-Key per
 * submission: a retried request (the network dropped the answer) records the action once.
 */
export function record(pipeline, id, kind, body, idempotencyKey = crypto.randomUUID()) {
  const paths = { move: 'moves', lose: 'losses', reopen: 'reopenings', activity: 'activities' };
  return send(`${clientPath(pipeline, id)}/${paths[kind]}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
    body: JSON.stringify(body),
  });
}

/**
 * The forecast against what happened, month by month (a Backtest of the JSON contract): the forecast made at each past
 * month start for that month's end, and the month's actual wins. params: firstMonth, lastMonth (yyyy-MM).
 */
export const forecastAccuracy = (pipeline, params = {}) => send(`${pipelinePath(pipeline)}/forecast-accuracy${query(params)}`);

/**
 * Follows the Server-Sent Events stream of the dashboard (`GET .../dashboard/stream`): the server sends the whole
 * dashboard again (event "dashboard") at each new snapshot of the warm model, bursts coalesced; onDashboard(dashboard)
 * receives it. onState('live' | 'reconnecting' | 'closed') as the connection comes and goes (EventSource reconnects by
 * itself). params are the dashboard's own (owner, targetWins).
 */
export function follow(pipeline, onDashboard, onState, params = {}) {
  const source = new EventSource(`${pipelinePath(pipeline)}/dashboard/stream${query(params)}`, { withCredentials: true });
  source.addEventListener('dashboard', (event) => onDashboard(JSON.parse(event.data)));
  // A server that only says "changed" (no body): fetch the dashboard.
  source.addEventListener('change', () => dashboard(pipeline, params).then(onDashboard, () => {}));
  source.addEventListener('unavailable', () => onState('closed'));
  source.onopen = () => onState('live');
  source.onerror = () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  return source;
}

/** Signs out and goes back to the sign-in. */
export async function signOut() {
  await fetch('/account/sign-out', { method: 'POST', credentials: 'same-origin' });
  window.location.assign('/');
}
