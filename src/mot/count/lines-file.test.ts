import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../../core/errors.ts';
import { parseCountLines } from './lines-file.ts';

test('parses lines and zones per sequence; either key may be absent', () => {
  const got = parseCountLines(
    JSON.stringify({
      A: { lines: [{ id: 'door', points: [[10, 20], [30.5, 40]] }], zones: [{ id: 'z', polygon: [[0, 0], [10, 0], [10, 10]] }] },
      B: { zones: [{ id: 'z', polygon: [[0, 0], [10, 0], [10, 10], [0, 10]] }] },
      C: {},
    }),
    'lines.json',
  );
  assert.deepEqual([...got.keys()], ['A', 'B', 'C']);
  assert.deepEqual(got.get('A'), { lines: [{ id: 'door', pointsPx: [[10, 20], [30.5, 40]] }], zones: [{ id: 'z', polygonPx: [[0, 0], [10, 0], [10, 10]] }] });
  assert.deepEqual(got.get('B')!.lines, []);
  assert.deepEqual(got.get('C'), { lines: [], zones: [] });
});

const line = (points: unknown, id: unknown = 'l1') => JSON.stringify({ S: { lines: [{ id, points }] } });
const zone = (polygon: unknown) => JSON.stringify({ S: { zones: [{ id: 'z1', polygon }] } });

const bad: Array<{ name: string; text: string; message: RegExp }> = [
  { name: 'not JSON', text: '{"S": {', message: /^f\.json: expected JSON, got a syntax error: / },
  { name: 'an array at the top', text: '[]', message: /^f\.json: top level: expected an object \{"<sequence>": .*, got \[\]$/ },
  { name: 'a sequence that is not an object', text: '{"S": [1]}', message: /^f\.json: "S": expected an object with "lines" and\/or "zones", got \[1\]$/ },
  { name: 'an unknown key (typo)', text: '{"S": {"line": []}}', message: /^f\.json: "S": expected only the keys "lines" and "zones", got "line"$/ },
  { name: 'lines not an array', text: '{"S": {"lines": {}}}', message: /^f\.json: "S"\.lines: expected an array, got \{\}$/ },
  { name: 'a line without an id', text: JSON.stringify({ S: { lines: [{ points: [[0, 0], [1, 1]] }] } }), message: /^f\.json: "S"\.lines\[0\]\.id: expected a non-empty string, got nothing$/ },
  { name: 'a numeric id', text: line([[0, 0], [1, 1]], 7), message: /^f\.json: "S"\.lines\[0\]\.id: expected a non-empty string, got 7$/ },
  {
    name: 'a duplicate line id',
    text: JSON.stringify({ S: { lines: [{ id: 'a', points: [[0, 0], [1, 1]] }, { id: 'a', points: [[0, 0], [2, 2]] }] } }),
    message: /^f\.json: "S"\.lines\[1\]\.id: expected ids unique within "S"\.lines, got "a"$/,
  },
  { name: 'three points on a line', text: line([[0, 0], [1, 1], [2, 2]]), message: /^f\.json: "S"\.lines\[0\] \("l1"\)\.points: expected exactly two points \[\[x1, y1\], \[x2, y2\]\], got \[\[0,0\],\[1,1\],\[2,2\]\]$/ },
  { name: 'a zero-length line', text: line([[5, 5], [5, 5]]), message: /^f\.json: "S"\.lines\[0\] \("l1"\)\.points: expected two different points \(a line of non-zero length\), got \[\[5,5\],\[5,5\]\]$/ },
  { name: 'a point that is not [x, y]', text: line([[0, 0], [1, '2']]), message: /^f\.json: "S"\.lines\[0\] \("l1"\)\.points\[1\]: expected a point \[x, y\] of two finite numbers \(pixels\), got \[1,"2"\]$/ },
  { name: 'an extra key on a line', text: JSON.stringify({ S: { lines: [{ id: 'a', points: [[0, 0], [1, 1]], in: 'left' }] } }), message: /^f\.json: "S"\.lines\[0\]: expected only the keys "id" and "points", got "in"$/ },
  { name: 'a polygon of two points', text: zone([[0, 0], [1, 1]]), message: /^f\.json: "S"\.zones\[0\] \("z1"\)\.polygon: expected a polygon of at least 3 points \[\[x, y\], \.\.\.\], got \[\[0,0\],\[1,1\]\]$/ },
  { name: 'a polygon with no area', text: zone([[0, 0], [1, 1], [2, 2]]), message: /^f\.json: "S"\.zones\[0\] \("z1"\)\.polygon: expected a polygon with an area/ },
  { name: 'a self-crossing polygon', text: zone([[0, 0], [20, 0], [20, 10], [10, -5], [0, 10]]), message: /^f\.json: "S"\.zones\[0\] \("z1"\)\.polygon: expected a simple polygon, but edge 0 crosses edge 2/ },
  { name: 'a polygon point with a NaN-like value', text: zone([[0, 0], [10, null], [10, 10]]), message: /^f\.json: "S"\.zones\[0\] \("z1"\)\.polygon\[1\]: expected a point \[x, y\] of two finite numbers \(pixels\), got \[10,null\]$/ },
];

for (const c of bad) {
  test(`lines file error says where, what was expected and what arrived: ${c.name}`, () => {
    assert.throws(() => parseCountLines(c.text, 'f.json'), (err: unknown) => {
      assert.ok(isAppError(err, 'CONFIG_INVALID'), String(err));
      assert.match(err.message, c.message);
      return true;
    });
  });
}
