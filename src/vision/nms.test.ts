import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BoxXyxy } from '../core/types.ts';
import { nonMaxSuppression } from './nms.ts';

const c = (boxXyxy: BoxXyxy, score: number, classId = 0) => ({ boxXyxy, score, classId });

test('nonMaxSuppression', async (t) => {
  const cases = [
    { name: 'keeps the best of overlapping same-class boxes', input: [c([0, 0, 10, 10], 0.5), c([1, 1, 11, 11], 0.9)], want: [0.9] },
    { name: 'keeps overlapping boxes of different classes', input: [c([0, 0, 10, 10], 0.5, 0), c([1, 1, 11, 11], 0.9, 1)], want: [0.9, 0.5] },
    { name: 'keeps boxes that overlap less than the threshold', input: [c([0, 0, 10, 10], 0.5), c([8, 8, 18, 18], 0.9)], want: [0.9, 0.5] },
    { name: 'suppression is not transitive through a removed box', input: [c([0, 0, 10, 10], 0.9), c([3, 0, 13, 10], 0.8), c([7, 0, 17, 10], 0.7)], want: [0.9, 0.7] },
    { name: 'empty input', input: [], want: [] },
  ];
  for (const k of cases) {
    await t.test(k.name, () => assert.deepEqual(nonMaxSuppression(k.input, 0.45).map((d) => d.score), k.want));
  }
});

test('nonMaxSuppression caps the number of results', () => {
  const many = Array.from({ length: 10 }, (_, i) => c([i * 20, 0, i * 20 + 10, 10], i / 10));
  assert.equal(nonMaxSuppression(many, 0.45, 3).length, 3);
});
