import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventQuery } from './query.ts';

test('event list queries: filters, a time range, keep, paging inside the range, and clear errors', () => {
  assert.deepEqual(parseEventQuery({ camera: 'gate', keep: 'true', from: '1000', to: '5000', before: '4000', limit: '100' }), {
    cameraId: 'gate', label: undefined, type: undefined, ruleId: undefined, severity: undefined, keep: true, limit: 100, beforeStartMs: 4000, fromStartMs: 1000,
  });
  assert.equal(parseEventQuery({ to: '5000', before: '9000' }).beforeStartMs, 5000, 'paging never leaves the range');
  assert.equal(parseEventQuery({ keep: 'false' }).keep, false);
  assert.equal(parseEventQuery({}).keep, undefined);
  assert.throws(() => parseEventQuery({ keep: 'yes' }), /keep: expected true or false, got "yes"/);
  assert.throws(() => parseEventQuery({ from: '5000', to: '5000' }), /from \(5000\) must be before to \(5000\)/);
  assert.throws(() => parseEventQuery({ since: '1' }), /unknown query parameter "since"; expected .* or to/);
});
