// Animals and fights on real clips through the real pipeline (ffmpeg, YOLOX-nano, the tracker, the camera worker):
// preset:animals on the night IR swiftlet clip raises bird events with the low threat level and nothing else;
// preset:violence with the assets' small fight classifier (added as a user model, as docs/clip-classifiers.md says)
// raises a fight on the cafeteria brawl and nothing on the busy street (whose single windows score up to 0.68) or the
// non-fight CCTV clips. Each clip's window scores and decision are printed for the record.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after, test } from 'node:test';
import { analyzeVideo } from '../src/analyze-video.ts';
import { loadClipClassifier } from '../src/assets/load-clip.ts';
import { loadDetector } from '../src/assets/load-detector.ts';
import { readRulesFile } from '../src/config/rules-file.ts';
import { toEventJson } from '../src/events/event-json.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import type { ObjectDetector } from '../src/vision/detector.ts';
import { asset, ASSETS } from './support/assets.ts';
import { assertEventsMatchSchema } from './support/event-schema.ts';
import { addFightModel, FIGHT_MODEL_CARD } from './support/fight-model.ts';

let detector: ObjectDetector;
let dataDir: string;

before(async () => {
  detector = await loadDetector('yolox-nano', { modelDir: '/nonexistent', searchDirs: [`${ASSETS}/models`], download: false }, loadOnnxModel, { threads: 2 });
  dataDir = await mkdtemp(join(tmpdir(), 'sightline-violence-'));
  // The fight model as a user adds it: `models add`, then the guesses corrected from its model card (MANIFEST).
  await addFightModel(dataDir, FIGHT_MODEL_CARD);
});
after(async () => {
  await detector?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('animals: the night swiftlet clip raises bird events with the low threat level and nothing else', async () => {
  const r = await analyzeVideo(asset('videos/swiftlet-birds-cctv-720p.mp4'), detector, randomUUID, { labels: [], fps: 5, geometry: await readRulesFile('preset:animals') });
  assert.ok(r.events.length >= 1, 'expected bird events');
  for (const e of r.events) {
    assert.equal(e.type, 'animal');
    assert.deepEqual([e.attributes['label'], e.attributes['species'], e.attributes['threat'], e.severity], ['bird', 'bird', 'low', 'info']);
  }
  assertEventsMatchSchema(r.events.map(toEventJson), 'swiftlet');
});

const CLIPS = [
  { file: 'violence/fight_cafeteria_sindhu4u.mp4', fight: true },
  { file: 'violence/nonfight_cctv_crowd_visionguard.mp4', fight: false },
  { file: 'violence/nonfight_cctv_hall_bag_visionguard.mp4', fight: false },
  { file: 'people-walking-street-720p.mp4', fight: false },
];

for (const clip of CLIPS) {
  test(`violence: ${clip.file} ${clip.fight ? 'raises a fight' : 'raises nothing'}`, async () => {
    const preset = await readRulesFile('preset:violence');
    const loc = { modelDir: join(dataDir, 'models'), searchDirs: [], download: false };
    const r = await analyzeVideo(asset(`videos/${clip.file}`), detector, randomUUID, {
      labels: [], fps: null, geometry: preset,
      loadClip: (rule) => loadClipClassifier(rule.model, rule.label, loc, loadOnnxModel, { threads: 1 }),
    });
    const fights = r.events.filter((e) => e.type === 'violence');
    console.log(`${clip.file}: windows ${r.clips?.windows.map((w) => w.score.toFixed(3)).join(', ') || 'none'}; events ${JSON.stringify(fights.map((e) => e.attributes))}`);
    assert.ok(r.clips, 'the camera has a clip stage');
    assert.equal(r.clips.stats.dropped, 0, 'offline analysis classifies every window');
    if (clip.fight) {
      assert.equal(fights.length, 1);
      assert.ok(Number(fights[0]!.attributes['score']) >= 0.7);
    } else {
      assert.deepEqual(fights, []);
    }
    if (r.events.length > 0) assertEventsMatchSchema(r.events.map(toEventJson), clip.file);
  });
}
