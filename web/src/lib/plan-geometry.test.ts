// Unit tests of the plan drawing helpers (run by the README's test command with the server's tests).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyHomography, frontSign, gridLines, gridStepM, heatCells, invert3, peopleText, personColour, placeLabels, polygonCentroid, projectPath,
  shortId, Trails, type Matrix3, type Point2,
} from './plan-geometry.ts';

const close = (a: readonly number[], b: readonly number[], eps = 1e-9) => assert.ok(a.every((v, i) => Math.abs(v - b[i]!) < eps), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);

test('the grid: 1 m lines with every fifth labelled, wider steps on a large plan', () => {
  const cases: { name: string; widthM: number; heightM: number; stepM: number }[] = [
    { name: 'a plaza of 19.2 x 14.4 m', widthM: 19.2, heightM: 14.4, stepM: 1 },
    { name: 'a 60 m hall', widthM: 60, heightM: 20, stepM: 1 },
    { name: 'a 100 m car park', widthM: 100, heightM: 40, stepM: 2 },
    { name: 'a 1 km site', widthM: 1000, heightM: 400, stepM: 20 },
  ];
  for (const c of cases) assert.equal(gridStepM(c.widthM, c.heightM), c.stepM, c.name);
  const lines = gridLines(19.2, 1);
  assert.equal(lines.length, 19);
  assert.deepEqual(lines.filter((l) => l.major).map((l) => l.atM), [5, 10, 15]);
  assert.deepEqual(gridLines(10, 5).map((l) => l.atM), [5], 'no line on the far edge');
});

test('counts, colours and ids read as people', () => {
  assert.equal(peopleText(0), '0 people');
  assert.equal(peopleText(1), '1 person');
  assert.equal(peopleText(3), '3 people');
  assert.notEqual(personColour(1_716_400_000_001), personColour(1_716_400_000_002), 'consecutive ids differ');
  assert.equal(personColour(7), personColour(7));
  assert.equal(shortId(1_716_400_000_123), '#123');
});

test('area labels: at the centre of mass, moved down when two would overlap', () => {
  close(polygonCentroid([[0, 0], [4, 0], [4, 2], [0, 2]]), [2, 1]);
  close(polygonCentroid([[0, 0], [1, 1], [2, 2]]), [1, 1]);
  const [a, b, c] = placeLabels([
    { anchor: [10, 7], text: 'overlap: 2 people' },
    { anchor: [10, 7], text: 'plaza: 5 people' },
    { anchor: [30, 7], text: 'far: 0 people' },
  ], 0.5);
  assert.deepEqual(a, [10, 7]);
  assert.ok(b![1] - 7 >= 0.6 && b![0] === 10, `the second label moved down: ${b}`);
  assert.deepEqual(c, [30, 7], 'a label far away stays');
});

test('heatmap cells: only those with counts, darker where people stood longer', () => {
  const cells = heatCells({ columns: 3, rows: 2, cellM: 0.5, counts: [0, 2, 0, 4, 0, 1], maxCount: 4 });
  assert.deepEqual(cells, [
    { xM: 0.5, yM: 0, sizeM: 0.5, level: 0.5 },
    { xM: 0, yM: 0.5, sizeM: 0.5, level: 1 },
    { xM: 1, yM: 0.5, sizeM: 0.5, level: 0.25 },
  ]);
  assert.deepEqual(heatCells({ columns: 1, rows: 1, cellM: 1, counts: [0], maxCount: 0 }), []);
});

test('trails keep the last 10 s of each person, without repeats', () => {
  const t = new Trails(10_000);
  t.update(0, [{ globalId: 1, positionM: [0, 0] }]);
  t.update(500, [{ globalId: 1, positionM: [0, 0] }, { globalId: 2, positionM: [5, 5] }]);
  t.update(4_000, [{ globalId: 1, positionM: [1, 0] }]);
  assert.deepEqual(t.of(1), [[0, 0], [1, 0]]);
  t.update(10_400, [{ globalId: 1, positionM: [2, 0] }]);
  assert.deepEqual(t.of(1), [[1, 0], [2, 0]], 'older than 10 s is gone');
  assert.deepEqual(t.of(2), [[5, 5]]);
  t.update(10_600, []);
  assert.deepEqual(t.of(2), [], 'a person gone for 10 s has no trail');
});

test('homographies: inverted in the browser, the plan grid projected back onto the frame in front of the camera only', () => {
  // The frame (fractions) onto a 19.2 x 14.4 m plan, scaled: what the site test's calibration fits.
  const scale: Matrix3 = [19.2, 0, 0, 0, 14.4, 0, 0, 0, 1];
  const inv = invert3(scale)!;
  close(applyHomography(inv, [9.6, 7.2])!.point, [0.5, 0.5]);
  assert.equal(invert3([1, 2, 3, 2, 4, 6, 0, 0, 1]), null, 'a singular matrix has no inverse');
  assert.equal(frontSign(scale, [[0.5, 0.5]]), 1);
  assert.equal(frontSign(scale.map((v) => -v), [[0.5, 0.5]]), -1, 'the same map scaled by -1');
  const runs = projectPath(inv, [[0, 0], [19.2, 0]], 1, false, 4);
  assert.equal(runs.length, 1);
  close(runs[0]!.flat(), [0, 0, 0.25, 0, 0.5, 0, 0.75, 0, 1, 0]);
  // A tilted camera: the plan's far half is beyond the horizon (w <= 0 for y > 1), so a line across it is cut there.
  const tilted: Matrix3 = [1, 0, 0, 0, 1, 0, 0, -1, 1]; // w = 1 - y
  const cut = projectPath(tilted, [[0.5, 0], [0.5, 2]] as Point2[], 1, false, 8);
  assert.equal(cut.length, 1);
  assert.ok(cut[0]!.every((p) => Number.isFinite(p[1])) && cut[0]!.length < 9, `only the part before the horizon: ${JSON.stringify(cut)}`);
  const square = projectPath(scale, [[0, 0], [1, 0], [1, 1], [0, 1]], 1, true, 2);
  assert.equal(square.length, 1);
  assert.equal(square[0]!.length, 9, 'a closed path comes back to its start');
});
