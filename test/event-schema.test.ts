// The published event schema: generated from the zod source and up to date, a valid JSON Schema that a standard
// validator (Ajv) compiles, accepting every rule type's events and refusing what is not an event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toEventJson } from '../src/events/event-json.ts';
import { eventJsonSchema } from '../src/events/event-schema.ts';
import { EVENT_SCHEMA, schemaProblems } from './support/event-schema.ts';
import { presenceEvent } from './support/events.ts';

test('docs/event.schema.json is generated from src/events/event-schema.ts and up to date (run `npm run docs`)', () => {
  assert.deepEqual(EVENT_SCHEMA, JSON.parse(JSON.stringify(eventJsonSchema())));
});

const base = toEventJson(presenceEvent({ cameraId: 'gate', startMs: 1_732_170_000_123 }));

test('Ajv accepts an event of every rule type', async (t) => {
  const rows = [
    { name: 'presence', event: base },
    { name: 'line', event: { ...base, type: 'line', endMs: base.startMs, endReason: 'instant', attributes: { lineId: 'door', direction: 'in', countIn: 3, countOut: 1 } } },
    { name: 'dwell', event: { ...base, type: 'dwell', severity: 'warning', attributes: { zoneId: 'entrance', dwellSeconds: 31.4 } } },
    { name: 'occupancy', event: { ...base, type: 'occupancy', subjects: [], attributes: { zoneId: 'room', count: 0, condition: 'below', threshold: 1 } } },
    { name: 'closed after a restart, migrated (no frame index)', event: { ...base, endMs: base.startMs + 5, endReason: 'restart', frameIndex: null } },
  ];
  for (const r of rows) await t.test(r.name, () => assert.deepEqual(schemaProblems(r.event), []));
});

test('Ajv refuses what is not an event, saying where', async (t) => {
  const rows = [
    { name: 'unknown type', event: { ...base, type: 'loiter' } },
    { name: 'attributes of another type', event: { ...base, attributes: { lineId: 'door', direction: 'in', countIn: 1, countOut: 0 } } },
    { name: 'a direction that is not in or out', event: { ...base, type: 'line', attributes: { lineId: 'door', direction: 'up', countIn: 1, countOut: 0 } } },
    { name: 'missing severity', event: (({ severity: _, ...rest }) => rest)(base) },
    { name: 'an extra field', event: { ...base, zoneId: 'all' } },
    { name: 'a box of three numbers', event: { ...base, subjects: [{ ...base.subjects[0], boxXyxy: [1, 2, 3] }] } },
    { name: 'another schema version', event: { ...base, schema: 'sightline.event/2' } },
  ];
  for (const r of rows) await t.test(r.name, () => assert.ok(schemaProblems(r.event).length > 0, `accepted ${JSON.stringify(r.event)}`));
});
