// The scheduling of re-id crops (the model is a stand-in that records its calls: what is under test is which crops go
// into which call and whose vectors come back to whom; test/site.e2e.test.ts runs the real OSNet model through it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BoxXyxy, Frame } from '../core/types.ts';
import { SharedEmbedder, type BatchEmbedder } from './shared-embedder.ts';

const frame = (index: number): Frame => ({ index, timeMs: index * 200, width: 4, height: 4, rgb: new Uint8Array(48) });
const box = (x: number): BoxXyxy => [x, 0, x + 1, 2];

test('crops of cameras waiting while the model runs go in one call, and each camera gets its own vectors in order', async () => {
  const calls: { frames: number[]; boxes: number }[] = [];
  let release: () => void = () => undefined;
  const model: BatchEmbedder = {
    async embedMany(items) {
      calls.push({ frames: items.map((i) => i.frame.index), boxes: items.reduce((n, i) => n + i.boxes.length, 0) });
      if (calls.length === 1) await new Promise<void>((r) => (release = r));
      // A vector per box that says whose it is: [frame index, box x].
      return items.map((i) => i.boxes.map((b) => new Float32Array([i.frame.index, b[0]])));
    },
  };
  const shared = new SharedEmbedder(model);
  const a = shared.embed('a', frame(1), [box(0)]);
  await new Promise((r) => setImmediate(r));
  const b = shared.embed('b', frame(2), [box(1), box(2)]);
  const c = shared.embed('c', frame(3), [box(3)]);
  release();
  const [va, vb, vc] = await Promise.all([a, b, c]);
  assert.deepEqual(calls, [{ frames: [1], boxes: 1 }, { frames: [2, 3], boxes: 3 }], 'b and c waited together and went in one call');
  assert.deepEqual(va.map((v) => [...v]), [[1, 0]]);
  assert.deepEqual(vb.map((v) => [...v]), [[2, 1], [2, 2]]);
  assert.deepEqual(vc.map((v) => [...v]), [[3, 3]]);
  assert.deepEqual(shared.calls, { calls: 2, jobs: 3, crops: 4 });
  assert.deepEqual(await shared.embed('a', frame(4), []), [], 'no boxes, no call');
  assert.equal(calls.length, 2);
});

test('a failed call fails the cameras in it and the next crops go on', async () => {
  let fail = true;
  const shared = new SharedEmbedder({
    async embedMany(items) {
      if (fail) throw new Error('model error');
      return items.map((i) => i.boxes.map(() => new Float32Array([1])));
    },
  });
  await assert.rejects(shared.embed('a', frame(1), [box(0)]), /model error/);
  fail = false;
  assert.equal((await shared.embed('a', frame(2), [box(0)])).length, 1);
  shared.close();
  await assert.rejects(shared.embed('a', frame(3), [box(0)]), /closed/);
});
