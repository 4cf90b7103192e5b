// Falls on real clips through the real pipeline (ffmpeg, the pose model as the camera's detector, the tracker, the
// camera worker, preset:falls): every GMDCSA24 fall clip in the assets raises one fall event that starts no later than
// 3 s after the fall's annotated start (read from the dataset's own CSVs), and no clip of daily activity (sitting
// down, bending, picking something up, lying down slowly on purpose) or of people walking out of the picture raises
// one. Frames at 10 per second, as a live camera would analyse them.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { before, after, test } from 'node:test';
import { analyzeVideo, type AnalyzeResult } from '../src/analyze-video.ts';
import { loadDetector } from '../src/assets/load-detector.ts';
import { readRulesFile, type RulesFile } from '../src/config/rules-file.ts';
import { toEventJson } from '../src/events/event-json.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import type { ObjectDetector } from '../src/vision/detector.ts';
import { asset, ASSETS } from './support/assets.ts';
import { assertEventsMatchSchema } from './support/event-schema.ts';

/** Annotated start (s) of the "Falling" interval of a clip, from `Subject_N_Fall.csv` (`Falling (SW)[1.8 to 6]`). */
function annotatedFallStartS(subject: number, clip: string): number {
  const csv = readFileSync(asset(`videos/falls/gmdcsa24_annotations/Subject_${subject}_Fall.csv`), 'utf8');
  const row = csv.split('\n').find((l) => l.startsWith(`${clip}.mp4,`));
  const m = row?.match(/Fall(?:ing)? \([A-Z]+\)\s*\[([\d.]+) to/);
  assert.ok(m, `no Falling interval for subject ${subject} clip ${clip} in the annotations`);
  return Number(m[1]);
}

const FALLS = [
  { file: 'gmdcsa24_s1_fall14.mp4', subject: 1, clip: '14' },
  { file: 'gmdcsa24_s1_fall15_chair_side.mp4', subject: 1, clip: '15' },
  { file: 'gmdcsa24_s2_fall13_backward_night.mp4', subject: 2, clip: '13' },
  { file: 'gmdcsa24_s3_fall20_walk_forward_night.mp4', subject: 3, clip: '20' },
  { file: 'gmdcsa24_s4_fall02.mp4', subject: 4, clip: '02' },
];
const NOT_FALLS = [
  'falls/gmdcsa24_s1_adl16.mp4', // picking a phone off the floor while seated
  'falls/gmdcsa24_s3_adl18_walk_sit_on_bed_night.mp4', // sitting down
  'falls/gmdcsa24_s3_adl19_pick_up_pen_night.mp4', // bending
  'falls/gmdcsa24_s4_adl21_lie_down_on_floor.mp4', // lying down slowly on purpose
  'people-walking-street-720p.mp4', // people walking into and out of the picture
];

let detector: ObjectDetector;
let preset: RulesFile;
const results = new Map<string, AnalyzeResult>();

async function analyse(file: string): Promise<AnalyzeResult> {
  const r = await analyzeVideo(asset(`videos/${file}`), detector, randomUUID, { labels: ['person'], fps: 10, geometry: preset });
  results.set(file, r);
  return r;
}

before(async () => {
  detector = await loadDetector('yolo11n-pose', { modelDir: '/nonexistent', searchDirs: [`${ASSETS}/models`], download: false }, loadOnnxModel, { threads: 2 });
  preset = await readRulesFile('preset:falls');
});
after(() => detector?.close());

for (const f of FALLS) {
  test(`fall: ${f.file} raises one fall event starting within 3 s of the annotated fall`, async () => {
    const startS = annotatedFallStartS(f.subject, f.clip);
    const r = await analyse(`falls/${f.file}`);
    const falls = r.events.filter((e) => e.type === 'fall');
    assert.equal(falls.length, 1, `expected one fall event, got ${JSON.stringify(falls.map((e) => [e.startMs, e.attributes]))}`);
    const e = falls[0]!;
    assert.ok(e.startMs <= startS * 1000 + 3000, `the fall event starts at ${e.startMs} ms, annotated fall at ${startS} s`);
    assert.ok(e.startMs >= startS * 1000 - 2000, `the fall event starts at ${e.startMs} ms, well before the annotated fall at ${startS} s`);
    assert.equal(e.attributes['method'], 'pose');
    assert.equal(e.subjects[0]?.label, 'person');
    assertEventsMatchSchema(r.events.map(toEventJson), f.file);
  });
}

for (const file of NOT_FALLS) {
  test(`no fall: ${file}`, async () => {
    const r = await analyse(file);
    const falls = r.events.filter((e) => e.type === 'fall');
    assert.deepEqual(falls.map((e) => [e.startMs, e.attributes]), [], `${file} raised a fall`);
  });
}
