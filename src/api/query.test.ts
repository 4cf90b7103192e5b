import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventHistogramQuery, parseEventQuery } from './query.ts';

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

test('event histogram queries: the list\'s filters, a range (default the last 24 hours) and a bucket count', () => {
  const now = 100 * 86_400_000;
  const day = parseEventHistogramQuery({ camera: 'gate' }, now);
  assert.deepEqual([day.fromMs, day.toMs, day.buckets, day.bucketMs], [now - 86_400_000, now, 96, 900_000]);
  assert.equal(day.filter.cameraId, 'gate');
  assert.equal(parseEventHistogramQuery({ from: '0', to: '1000', buckets: '3' }, now).bucketMs, 334, 'rounded up: the buckets cover the range');
  assert.throws(() => parseEventHistogramQuery({ buckets: '0' }, now), /buckets: expected a whole number between 1 and 1000, got "0"/);
  assert.throws(() => parseEventHistogramQuery({ from: '9', to: '9' }, now), /from \(9\) must be before to \(9\)/);
  assert.throws(() => parseEventHistogramQuery({ limit: '5' }, now), /unknown query parameter "limit"; expected .* or buckets/);
});
