// Validates events as clients receive them against docs/event.schema.json, read from disk and checked by Ajv, a JSON
// Schema validator independent of the zod source the document is generated from (and by that zod source too).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { eventProblems } from '../../src/events/event-schema.ts';

/** The published event schema. */
export const EVENT_SCHEMA = JSON.parse(readFileSync(new URL('../../docs/event.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const validate = new Ajv2020({ allErrors: true, strict: true }).compile(EVENT_SCHEMA);

/** Problems of one event against the published document (Ajv), as `path: message` lines. */
export function schemaProblems(event: unknown): string[] {
  if (validate(event)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(event)'}: ${e.message ?? e.keyword}`);
}

/** Fails with every problem when any of `events` does not match the event schema. */
export function assertEventsMatchSchema(events: readonly unknown[], where: string): void {
  assert.ok(events.length > 0, `${where}: no events to check`);
  const problems = events.flatMap((e, i) => [...schemaProblems(e), ...eventProblems(e)].map((p) => `${where}[${i}] ${p}`));
  assert.deepEqual(problems, []);
}
