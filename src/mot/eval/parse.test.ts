import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../../core/errors.ts';
import { parseMotFile } from './parse.ts';

test('parses gt and tracker rows with commas, spaces, CRLF, blank lines and a trailing comma', () => {
  const text = '1,3,10,20,30,40,1,1,0.5\r\n\n2 4 1.5 2.5 3 4 0.9 -1 -1 -1\n3,5,0,0,1,1,\n';
  const { rows } = parseMotFile(text, 'gt.txt');
  assert.deepEqual(rows, [
    { frame: 1, id: 3, x: 10, y: 20, w: 30, h: 40, conf: 1, classId: 1, line: 1 },
    { frame: 2, id: 4, x: 1.5, y: 2.5, w: 3, h: 4, conf: 0.9, classId: -1, line: 3 },
    { frame: 3, id: 5, x: 0, y: 0, w: 1, h: 1, conf: null, classId: null, line: 4 },
  ]);
});

test('an empty file has no rows', () => {
  assert.deepEqual(parseMotFile('', 'empty.txt').rows, []);
});

const bad: Array<{ name: string; text: string; minColumns?: number; message: RegExp }> = [
  {
    name: 'too few columns',
    text: '1,1,10,20,30,40\n2,1,10,20\n',
    message: /^trk\.txt:2: expected at least 6 columns \(frame,id,x,y,w,h\) but 4 arrived, got "2,1,10,20"$/,
  },
  {
    name: 'gt without the class column for MOT17',
    text: '1,1,10,20,30,40,1\n',
    minColumns: 8,
    message: /^trk\.txt:1: expected at least 8 columns \(frame,id,x,y,w,h,conf,class\) but 7 arrived/,
  },
  { name: 'a word in a number column', text: '1,1,10,20,30,40\n1,2,abc,20,30,40\n', message: /^trk\.txt:2: expected a number in column 3 \(x\), got "1,2,abc,20,30,40"$/ },
  { name: 'an empty field', text: '1,1,10,,30,40\n', message: /^trk\.txt:1: expected a number in column 4 \(y\)/ },
  { name: 'a fractional frame', text: '1.5,1,10,20,30,40\n', message: /^trk\.txt:1: expected an integer frame number in column 1, got "1\.5,1,10,20,30,40"$/ },
  { name: 'a fractional id', text: '1,2.5,10,20,30,40\n', message: /^trk\.txt:1: expected an integer id in column 2/ },
];

for (const c of bad) {
  test(`parse error names file, line and content: ${c.name}`, () => {
    assert.throws(() => parseMotFile(c.text, 'trk.txt', c.minColumns), (err: unknown) => {
      assert.ok(isAppError(err, 'MOT_FILE_INVALID'), String(err));
      assert.match(err.message, c.message);
      return true;
    });
  });
}
