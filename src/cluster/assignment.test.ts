import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignCameras, type CameraUnit, type WorkerView } from './assignment.ts';

const cams = (n: number): CameraUnit[] => Array.from({ length: n }, (_, i) => ({ id: `cam${String(i + 1).padStart(2, '0')}`, parentId: null }));
const workers = (...ids: string[]): WorkerView[] => ids.map((id) => ({ id, capacity: 1, draining: false }));
const counts = (m: Map<string, string>) => {
  const c: Record<string, number> = {};
  for (const w of m.values()) c[w] = (c[w] ?? 0) + 1;
  return c;
};

test('nine cameras on three equal workers: three each, the same answer whatever the order of the inputs', () => {
  const a = assignCameras(workers('w1', 'w2', 'w3'), cams(9), new Map());
  assert.deepEqual(counts(a), { w1: 3, w2: 3, w3: 3 });
  const b = assignCameras(workers('w3', 'w1', 'w2'), [...cams(9)].reverse(), new Map());
  assert.deepEqual([...b.entries()].sort(), [...a.entries()].sort());
});

test('capacity weights the shares: capacity 2 gets twice the cameras of capacity 1', () => {
  const a = assignCameras([{ id: 'big', capacity: 2, draining: false }, { id: 'small', capacity: 1, draining: false }], cams(9), new Map());
  assert.deepEqual(counts(a), { big: 6, small: 3 });
});

test('a dead worker\'s cameras go to the others, who keep their own', () => {
  const before = assignCameras(workers('w1', 'w2', 'w3'), cams(9), new Map());
  const after = assignCameras(workers('w1', 'w3'), cams(9), before);
  for (const [cam, w] of before) if (w !== 'w2') assert.equal(after.get(cam), w, `${cam} stays on ${w}`);
  assert.deepEqual(counts(after), { w1: 5, w3: 4 });
});

test('a new worker takes only the excess: the others move no more cameras than they must', () => {
  const before = assignCameras(workers('w1', 'w2'), cams(9), new Map());
  const after = assignCameras(workers('w1', 'w2', 'w3'), cams(9), before);
  assert.deepEqual(counts(after), { w1: 3, w2: 3, w3: 3 });
  const moved = [...after].filter(([cam, w]) => before.get(cam) !== w);
  assert.equal(moved.length, 3);
  assert.ok(moved.every(([, w]) => w === 'w3'));
});

test('a draining worker gets nothing; no workers, no assignment', () => {
  const a = assignCameras([{ id: 'w1', capacity: 1, draining: true }, { id: 'w2', capacity: 1, draining: false }], cams(4), new Map([['cam01', 'w1']]));
  assert.deepEqual(counts(a), { w2: 4 });
  assert.equal(assignCameras([], cams(3), new Map()).size, 0);
  assert.equal(assignCameras([{ id: 'w1', capacity: 1, draining: true }], cams(3), new Map()).size, 0);
});

test('a tile goes where its mosaic goes, and counts towards that worker\'s share', () => {
  const cameras: CameraUnit[] = [
    { id: 'dvr', parentId: null }, { id: 'dvr-1', parentId: 'dvr' }, { id: 'dvr-2', parentId: 'dvr' }, { id: 'dvr-3', parentId: 'dvr' },
    { id: 'a', parentId: null }, { id: 'b', parentId: null }, { id: 'c', parentId: null }, { id: 'd', parentId: null },
  ];
  const m = assignCameras(workers('w1', 'w2'), cameras, new Map());
  const dvrOwner = m.get('dvr');
  for (const t of ['dvr-1', 'dvr-2', 'dvr-3']) assert.equal(m.get(t), dvrOwner);
  assert.deepEqual(Object.values(counts(m)).sort(), [4, 4]);
  // Held on another worker than its tiles (a view from before a change): the group moves together.
  const again = assignCameras(workers('w1', 'w2'), cameras, new Map([['dvr', 'w1'], ['dvr-1', 'w2']]));
  assert.equal(again.get('dvr-1'), again.get('dvr'));
});

test('a worker holding more than its share keeps its share and gives the rest away', () => {
  const all = new Map(cams(6).map((c) => [c.id, 'w1']));
  const m = assignCameras(workers('w1', 'w2'), cams(6), all);
  assert.deepEqual(counts(m), { w1: 3, w2: 3 });
  assert.deepEqual([...m].filter(([, w]) => w === 'w1').map(([c]) => c), ['cam01', 'cam02', 'cam03']);
});
