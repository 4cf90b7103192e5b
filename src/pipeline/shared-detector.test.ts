import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Detection, Frame } from '../core/types.ts';
import type { ObjectDetector } from '../vision/detector.ts';
import { SharedDetector } from './shared-detector.ts';

const frame = (index: number): Frame => ({ index, timeMs: index * 100, width: 2, height: 2, rgb: new Uint8Array(12) });

/** A stand-in for ObjectDetector (no model here): answers each frame with one detection naming the frame. */
function fakeDetector() {
  let closed = false;
  const detector = {
    manifest: { id: 'fake' },
    detect: async (f: Frame): Promise<Detection[]> => [{ boxXyxy: [0, 0, 1, 1], score: 0.9, classId: 0, label: `frame-${f.index}` }],
    close: async () => {
      closed = true;
    },
  };
  return { detector: detector as unknown as ObjectDetector, isClosed: () => closed };
}

test('cameras share one detector through the scheduler, each with its own counters', async () => {
  const fake = fakeDetector();
  const shared = new SharedDetector(fake.detector);
  const a = shared.forCamera('a');
  const b = shared.forCamera('b');
  assert.equal(a.manifest.id, 'fake');
  const [ra, rb] = await Promise.all([a.detect(frame(1)), b.detect(frame(2))]);
  assert.equal(ra![0]!.label, 'frame-1');
  assert.equal(rb![0]!.label, 'frame-2');
  assert.deepEqual(shared.stats('a'), { submitted: 1, completed: 1, dropped: 0, failed: 0 });
  await shared.close();
  assert.ok(fake.isClosed());
  await assert.rejects(a.detect(frame(3)), /closed/);
});

test('a frame replaced by a newer one of the same camera comes back as null', async () => {
  const shared = new SharedDetector(fakeDetector().detector);
  const cam = shared.forCamera('a');
  // Submitted in the same tick: frame 3 is still waiting when frame 4 arrives, so 4 replaces it.
  const replaced = cam.detect(frame(3));
  const newest = cam.detect(frame(4));
  assert.equal(await replaced, null);
  assert.equal((await newest)![0]!.label, 'frame-4');
  assert.deepEqual(shared.stats('a'), { submitted: 2, completed: 1, dropped: 1, failed: 0 });
});
