import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../../core/errors.ts';
import { parseDetections } from './det-file.ts';
import { keepForMot } from './mot-profile.ts';
import { formatResults } from './result-file.ts';
import { parseSeqInfo } from '../seqinfo.ts';

test('det files: 7 (MOT17) and 10 (MOT15) columns, unsorted frames, boxes as xyxy; empty boxes skipped', () => {
  const text = '2,-1,10,20,30,40,0.9\n1,-1,1,2,3,4,0.5,-1,-1,-1\n\n1,-1,5,5,0,10,0.7\n';
  const d = parseDetections(text, 3, 'det.txt');
  assert.equal(d.count, 2);
  assert.deepEqual(d.frames[0], [{ boxXyxy: [1, 2, 4, 6], score: 0.5, classId: 0, label: 'person' }]);
  assert.deepEqual(d.frames[1]![0]!.boxXyxy, [10, 20, 40, 60]);
  assert.deepEqual(d.frames[2], []);
});

test('det file errors name the file, the line, what was expected and what arrived', () => {
  const cases: [string, RegExp][] = [
    ['1,-1,1,2,3', /^det\.txt:1: expected frame,id,x,y,w,h,conf with at least 7 comma-separated columns, got "1,-1,1,2,3"$/],
    ['1,-1,1,2,3,4,0.5\n1,-1,a,2,3,4,0.5', /^det\.txt:2: expected .* with numbers in the first 7 columns, got "1,-1,a,2,3,4,0.5"$/],
    ['9,-1,1,2,3,4,0.5', /^det\.txt:1: expected .* with a frame number between 1 and 3, got "9,-1,1,2,3,4,0.5"$/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseDetections(text, 3, 'det.txt'), (e: unknown) => isAppError(e, 'MOT_FILE_INVALID') && message.test(e.message));
  }
});

test('seqinfo.ini: frame rate and length read; missing or bad values rejected with the key named', () => {
  const info = parseSeqInfo('[Sequence]\nname=MOT17-05\nframeRate=14\nseqLength=837\nimWidth=640\nimHeight=480\n', 's.ini');
  assert.deepEqual(info, { name: 'MOT17-05', frameRate: 14, seqLength: 837, imWidth: 640, imHeight: 480 });
  assert.throws(() => parseSeqInfo('[Sequence]\nframeRate=14\n', 's.ini'), /^AppError: s\.ini: expected seqLength=<positive number>, got no such key$/);
  assert.throws(() => parseSeqInfo('seqLength=10\nframeRate=fast\n', 's.ini'), /expected frameRate=<positive number>, got "fast"/);
});

test('the MOT pedestrian profile drops boxes of 100 px² or less and boxes wider than 1.6 x their height', () => {
  const row = (w: number, h: number) => ({ frame: 1, id: 1, x: 0, y: 0, w, h, score: 1 });
  assert.equal(keepForMot(row(10, 10)), false); // 100 px², not more
  assert.equal(keepForMot(row(10, 10.1)), true);
  assert.equal(keepForMot(row(16, 10)), true); // exactly 1.6 is kept
  assert.equal(keepForMot(row(16.1, 10)), false); // a car or a person lying down
});

test('result files are sorted by frame then id, boxes with 2 decimals', () => {
  const text = formatResults([
    { frame: 2, id: 1, x: 1, y: 2, w: 3, h: 4, score: 0.5 },
    { frame: 1, id: 7, x: 1.234, y: 2, w: 3, h: 4, score: 0.9 },
    { frame: 1, id: 3, x: 0, y: 0, w: 3, h: 4, score: 1 },
  ]);
  assert.equal(text, '1,3,0.00,0.00,3.00,4.00,1.000,-1,-1,-1\n1,7,1.23,2.00,3.00,4.00,0.900,-1,-1,-1\n2,1,1.00,2.00,3.00,4.00,0.500,-1,-1,-1\n');
});
