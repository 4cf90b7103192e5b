import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planTiles } from './tiles.ts';

test('planTiles', async (t) => {
  await t.test('off is one pass on the whole frame', () => assert.deepEqual(planTiles(1920, 1080, 416, 416, 'off'), [{ x: 0, y: 0, width: 1920, height: 1080 }]));
  await t.test('auto does nothing for a frame close to the input size', () => assert.equal(planTiles(768, 576, 416, 416, 'auto').length, 1));
  await t.test('auto tiles a 1080p frame for a 416 model: whole frame + overlapping columns covering the width', () => {
    const tiles = planTiles(1920, 1080, 416, 416, 'auto');
    assert.ok(tiles.length >= 3);
    assert.deepEqual(tiles[0], { x: 0, y: 0, width: 1920, height: 1080 });
    const cols = tiles.slice(1);
    assert.equal(cols[0]!.x, 0);
    assert.equal(cols.at(-1)!.x + cols.at(-1)!.width, 1920);
    for (let i = 1; i < cols.length; i++) assert.ok(cols[i]!.x < cols[i - 1]!.x + cols[i - 1]!.width, 'neighbours overlap');
  });
});
