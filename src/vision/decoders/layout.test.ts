import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchDetectorLayout } from './layout.ts';

test('matchDetectorLayout', async (t) => {
  const cases = [
    { name: 'YOLOX raw grid', input: [1, 3, 416, 416], output: [1, 3549, 85], want: { family: 'yolox', classCount: 80 } },
    { name: 'YOLOv8 640', input: [1, 3, 640, 640], output: [1, 84, 8400], want: { family: 'ultralytics', classCount: 80 } },
    { name: 'YOLO11 320 single class', input: [1, 3, 320, 320], output: [1, 5, 2100], want: { family: 'ultralytics', classCount: 1 } },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const m = matchDetectorLayout({ input: c.input, output: c.output });
      assert.ok(m.ok);
      assert.equal(m.family, c.want.family);
      assert.equal(m.classCount, c.want.classCount);
    });
  }
  await t.test('an embedder output names the shapes it saw and the supported layouts', () => {
    const m = matchDetectorLayout({ input: ['batch', 3, 256, 128], output: ['batch', 512] });
    assert.ok(!m.ok);
    assert.match(m.reason, /saw input \[batch,3,256,128\] and output \[batch,512\]/);
    assert.match(m.reason, /supported layouts/);
  });
});
