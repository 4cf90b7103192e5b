// Validates events as clients receive them against docs/event.schema.json, read from disk (the published document,
// not the zod source it is generated from).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { eventProblems } from '../../src/events/event-schema.ts';

/** The published event schema. */
export const EVENT_SCHEMA = JSON.parse(readFileSync(new URL('../../docs/event.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** Fails with every problem when any of `events` does not match the event schema. */
export function assertEventsMatchSchema(events: readonly unknown[], where: string): void {
  assert.ok(events.length > 0, `${where}: no events to check`);
  const problems = events.flatMap((e, i) => eventProblems(e).map((p) => `${where}[${i}] ${p}`));
  assert.deepEqual(problems, []);
}
