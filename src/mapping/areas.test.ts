import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Point } from '../core/types.ts';
import { areaContains, checkArea } from './areas.ts';

const PLAN = { widthM: 20, heightM: 10 };

test('checkArea: problems come back as values that name the vertex and the fix', async (t) => {
  const rows: { name: string; polygonM: Point[]; want: { code: string; vertexIndex?: number; message: RegExp }[] }[] = [
    { name: 'a fine rectangle', polygonM: [[1, 1], [5, 1], [5, 4], [1, 4]], want: [] },
    { name: 'a concave L touching the plan border', polygonM: [[0, 0], [4, 0], [4, 2], [2, 2], [2, 10], [0, 10]], want: [] },
    { name: 'no points', polygonM: [], want: [{ code: 'AREA_TOO_FEW_POINTS', message: /^an area needs at least 3 points, got 0; add points/ }] },
    { name: 'two points', polygonM: [[1, 1], [2, 2]], want: [{ code: 'AREA_TOO_FEW_POINTS', message: /got 2/ }] },
    { name: 'NaN', polygonM: [[1, 1], [2, Number.NaN], [3, 1]], want: [{ code: 'AREA_NON_FINITE', vertexIndex: 1, message: /^vertex 2 must be two finite numbers \[x, y\] in metres, got \[2, NaN\]$/ }] },
    { name: 'a bow tie', polygonM: [[1, 1], [4, 4], [4, 1], [1, 4]], want: [{ code: 'AREA_SELF_INTERSECTING', vertexIndex: 0, message: /^the area's edges 1-2 and 3-4 cross; order its points around the outline/ }] },
    { name: 'points on one line', polygonM: [[1, 1], [3, 2], [5, 3]], want: [{ code: 'AREA_ZERO', message: /encloses 0\.000 m² \(its points lie on one line or on top of each other\); spread its points out$/ }] },
    { name: 'a sliver', polygonM: [[1, 1], [3, 1], [3, 1.001]], want: [{ code: 'AREA_ZERO', message: /encloses 0\.001 m²/ }] },
    {
      name: 'two vertices beyond the plan', polygonM: [[18, 2], [21.5, 2], [19, -0.4]],
      want: [
        { code: 'AREA_OUTSIDE_PLAN', vertexIndex: 1, message: /^vertex 2 at \(21\.50, 2\.00\) m lies outside the plan \(20\.00 m × 10\.00 m, from \(0, 0\) at its top-left corner\); move it onto the plan$/ },
        { code: 'AREA_OUTSIDE_PLAN', vertexIndex: 2, message: /^vertex 3 at \(19\.00, -0\.40\) m/ },
      ],
    },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const got = checkArea(r.polygonM, PLAN);
      assert.deepEqual(got.map((p) => [p.code, p.vertexIndex]), r.want.map((w) => [w.code, w.vertexIndex]));
      got.forEach((p, i) => assert.match(p.message, r.want[i]!.message));
    });
  }
});

test('areaContains: inside, outside and the notch of a concave area', () => {
  const l: Point[] = [[0, 0], [4, 0], [4, 2], [2, 2], [2, 6], [0, 6]];
  assert.equal(areaContains(l, [1, 5]), true);
  assert.equal(areaContains(l, [3, 1]), true);
  assert.equal(areaContains(l, [3, 4]), false, 'in the notch');
  assert.equal(areaContains(l, [-1, 1]), false);
});
