// Rules on a real clip through the real pipeline (ffmpeg, YOLOX-nano, the tracker, the camera worker): a counting line
// across the road of vtest.avi against crossings labelled by hand (test/fixtures/line-crossings.ts), a dwell zone where
// a man stands on that line for about four seconds, an occupancy limit on the road in its two busy stretches, and
// every event matching the event schema.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, after, test } from 'node:test';
import { analyzeVideo, type AnalyzeResult } from '../src/analyze-video.ts';
import { loadDetector } from '../src/assets/load-detector.ts';
import { toEventJson } from '../src/events/event-json.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import type { ObjectDetector } from '../src/vision/detector.ts';
import { asset, ASSETS } from './support/assets.ts';
import { assertEventsMatchSchema } from './support/event-schema.ts';
import { VTEST_ROAD } from './fixtures/line-crossings.ts';

let detector: ObjectDetector;
let result: AnalyzeResult;

before(async () => {
  detector = await loadDetector('yolox-nano', { modelDir: '/nonexistent', searchDirs: [`${ASSETS}/models`], download: false }, loadOnnxModel, { threads: 2 });
  result = await analyzeVideo(asset(VTEST_ROAD.video), detector, randomUUID, {
    labels: ['person'],
    fps: null,
    tiling: 'off',
    geometry: {
      lines: [VTEST_ROAD.line],
      zones: [
        // Around the road line, where the man in the dark-brown jacket stands from about 40.4 s to 44.8 s.
        { id: 'road-side', polygon: [[0.3, 0.45], [0.5, 0.45], [0.5, 0.75], [0.3, 0.75]] },
        { id: 'road', polygon: [[0, 0.3], [1, 0.3], [1, 0.75], [0, 0.75]] },
      ],
      rules: [
        { id: 'road-count', type: 'line', line: VTEST_ROAD.line.id },
        { id: 'linger', type: 'dwell', zone: 'road-side', seconds: 4 },
        { id: 'busy', type: 'occupancy', zone: 'road', max: 4, seconds: 2 },
      ],
    },
  });
});
after(() => detector?.close());

const byRule = (id: string) => result.events.filter((e) => e.ruleId === id);

test('line: the counts in and out match the hand-labelled crossings, and each sure crossing is found within a second', () => {
  const labelled = VTEST_ROAD.crossings;
  const truth = { in: labelled.filter((c) => c.direction === 'in').length, out: labelled.filter((c) => c.direction === 'out').length };
  const line = result.status.lines.find((l) => l.id === VTEST_ROAD.line.id)!;
  const counted = byRule('road-count');
  console.log(`# road line: counted ${line.in} in / ${line.out} out, labelled ${truth.in} in / ${truth.out} out`);
  assert.ok(Math.abs(line.in - truth.in) <= 1 && Math.abs(line.out - truth.out) <= 1, `counted ${line.in}/${line.out}, labelled ${truth.in}/${truth.out}`);
  assert.equal(counted.length, line.in + line.out, 'one event per crossing');
  // Match each sure label to the nearest unused counted crossing of its direction.
  const unused = new Set(counted);
  const missed: string[] = [];
  for (const c of labelled.filter((x) => x.sure)) {
    const match = [...unused].filter((e) => e.attributes['direction'] === c.direction).sort((a, b) => Math.abs(a.startMs / 1000 - c.timeS) - Math.abs(b.startMs / 1000 - c.timeS))[0];
    if (match && Math.abs(match.startMs / 1000 - c.timeS) <= 1) unused.delete(match);
    else missed.push(`${c.timeS} s ${c.direction} (${c.who})`);
  }
  assert.ok(missed.length <= 1, `sure crossings not found within 1 s: ${missed.join('; ')}`);
  for (const e of counted) {
    assert.equal(e.type, 'line');
    assert.equal(e.endReason, 'instant');
    assert.equal(e.startMs, e.endMs);
    assert.equal(e.subjects.length, 1);
  }
});

test('dwell: the man standing on the line for about four seconds raises a dwell event that covers his stay', () => {
  const stay = byRule('linger').find((e) => e.startMs <= 41_000 && (e.endMs ?? Infinity) >= 44_000);
  assert.ok(stay, `a dwell event covering 41-44 s; got ${JSON.stringify(byRule('linger').map((e) => [e.startMs, e.endMs]))}`);
  assert.ok(Number(stay.attributes['dwellSeconds']) >= 4, `dwell ${stay.attributes['dwellSeconds']} s`);
  assert.equal(stay.endReason, 'left');
  for (const e of byRule('linger')) assert.ok(e.endMs! - e.startMs >= 4000, 'no dwell event shorter than its 4 s');
});

test('occupancy: more than four people on the road during its busy stretches (29-34 s and 65-78 s)', () => {
  const busy = byRule('busy');
  for (const t of [31_000, 70_000]) {
    const e = busy.find((x) => x.startMs <= t && (x.endMs ?? Infinity) >= t);
    assert.ok(e, `an occupancy event covering ${t / 1000} s; got ${JSON.stringify(busy.map((x) => [x.startMs, x.endMs]))}`);
    assert.ok(Number(e.attributes['count']) > 4 && e.attributes['condition'] === 'above' && e.attributes['threshold'] === 4);
    assert.ok(e.subjects.length >= 5, `${e.subjects.length} subjects`);
  }
});

test('every event of the run matches the event schema', () => {
  assertEventsMatchSchema(result.events.map(toEventJson), 'vtest rules');
  assert.deepEqual(new Set(result.events.map((e) => e.type)), new Set(['line', 'dwell', 'occupancy']));
});
