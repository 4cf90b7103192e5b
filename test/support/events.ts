// Event fixtures for integration tests: a valid presence event with overrides.
import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, type SightEvent } from '../../src/core/types.ts';

/** A presence event of one person in the whole frame, valid against the event schema; fields can be overridden. */
export function presenceEvent(overrides: Partial<SightEvent> & { cameraId: string; startMs: number }): SightEvent {
  const lastSeenMs = overrides.endMs ?? overrides.startMs;
  return {
    schema: EVENT_SCHEMA_VERSION, id: randomUUID(), type: 'presence', severity: 'info', ruleId: 'all', endMs: null, endReason: null,
    frameIndex: 0, latencyMs: null, lastSeenMs, attributes: { zoneId: 'all' }, snapshotPath: null, keep: false,
    subjects: [{ trackId: 1, label: 'person', score: 0.9, boxXyxy: [0, 0, 10, 10], timeMs: overrides.startMs }],
    ...overrides,
  };
}
