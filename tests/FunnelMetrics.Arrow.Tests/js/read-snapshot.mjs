// Reads a FunnelMetrics snapshot file with Arrow JS and prints what the test compares: node read-snapshot.mjs <file>
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
const table = tableFromIPC(readFileSync(process.argv[2]));
const meta = Object.fromEntries(table.schema.metadata);
let events = 0, updates = 0, updatedKinds = 0, entered = 0;
const stages = new Set();
for (const batch of table.batches) {
  const ev = batch.getChild('events');
  const up = batch.getChild('updates');
  for (let i = 0; i < batch.numRows; i++) {
    const list = ev.get(i);
    events += list.length;
    for (const e of list) { if (e.kind === 'Updated') updatedKinds++; if (e.kind === 'Entered') entered++; if (e.stage !== null) stages.add(e.stage); }
    updates += up.get(i).length;
  }
}
// Arrow JS reads timestamp[ns] as milliseconds (a number) or as nanoseconds (a bigint), depending on its version.
const iso = v => new Date(typeof v === 'bigint' ? Number(v / 1000000n) : Number(v)).toISOString();
const first = table.get(0);
const firstEvent = first.events.get(0);
console.log(JSON.stringify({
  fields: table.schema.fields.map(f => `${f.name}: ${f.type}`),
  rows: table.numRows, batches: table.batches.length, events, updates, updatedKinds, entered, stages: [...stages],
  meta,
  firstClient: { id: first.client_id, owner: first.owner, created_at: iso(first.created_at), value: first.value?.toString(), attributes: [...first.attributes].map(([k, v]) => `${k}=${v}`) },
  firstEvent: { sequence: firstEvent.sequence, occurred_at: iso(firstEvent.occurred_at), kind: firstEvent.kind, stage: firstEvent.stage, status: firstEvent.status, owner: firstEvent.owner },
}, (k, v) => typeof v === 'bigint' ? v.toString() : v, 1));
