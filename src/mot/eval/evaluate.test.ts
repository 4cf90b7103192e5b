import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../../core/errors.ts';
import { combineSequences, evaluateSequence } from './evaluate.ts';
import type { EvalMode } from './evaluate.ts';
import { iouMotmetrics, iouTrackEval } from './iou.ts';
import { parseMotFile } from './parse.ts';
import { detectBenchmark } from './preprocess.ts';
import type { SequenceInput } from './preprocess.ts';
import { summaryRecord } from './report.ts';
import type { SummaryField } from './report.ts';

type Box = readonly [x: number, y: number, w: number, h: number];
const A: Box = [0, 0, 10, 10];
const B: Box = [100, 0, 10, 10];
/** IoU 0.6 with A. */
const A_SHIFTED: Box = [2.5, 0, 10, 10];
/** IoU 0.25 with B. */
const B_SHIFTED: Box = [106, 0, 10, 10];
/** IoU exactly 0.5 with A. */
const A_TALL: Box = [0, 0, 10, 20];
const FAR: Box = [500, 500, 10, 10];

/** A gt row: pedestrian (class 1) and considered unless told otherwise. */
const gt = (frame: number, id: number, box: Box, classId = 1, consider = 1) => `${frame},${id},${box.join(',')},${consider},${classId},1`;
const trk = (frame: number, id: number, box: Box) => `${frame},${id},${box.join(',')},1,-1,-1,-1`;
const frames = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function sequence(gtRows: string[], trackerRows: string[], seqLength: number | null = null): SequenceInput {
  return {
    name: 'toy',
    gt: parseMotFile(gtRows.join('\n'), 'gt.txt'),
    tracker: parseMotFile(trackerRows.join('\n'), 'trk.txt'),
    seqLength,
  };
}

interface Case {
  name: string;
  seq: SequenceInput;
  modes: readonly EvalMode[];
  expect: Partial<Record<SummaryField, number>>;
}

const cases: Case[] = [
  {
    name: 'a perfect tracker (other ids) scores 1 everywhere',
    seq: sequence(
      frames(1, 3).flatMap((f) => [gt(f, 1, A), gt(f, 2, B)]),
      frames(1, 3).flatMap((f) => [trk(f, 7, A), trk(f, 8, B)]),
    ),
    modes: ['trackeval', 'plain'],
    expect: { HOTA: 1, DetA: 1, AssA: 1, LocA: 1, MOTA: 1, MOTP: 1, IDF1: 1, IDSW: 0, MT: 2, Frag: 0, CLR_FP: 0, CLR_FN: 0, IDs: 2, GT_IDs: 2 },
  },
  {
    name: 'one id switch halfway',
    seq: sequence(frames(1, 4).map((f) => gt(f, 1, A)), frames(1, 4).map((f) => trk(f, f <= 2 ? 1 : 2, A))),
    modes: ['trackeval', 'plain'],
    expect: { MOTA: 0.75, IDSW: 1, Frag: 0, IDF1: 0.5, IDTP: 2, IDFP: 2, IDFN: 2, DetA: 1, AssA: 0.5, AssRe: 0.5, AssPr: 1, HOTA: Math.SQRT1_2 },
  },
  {
    name: 'an empty tracker',
    seq: sequence(frames(1, 3).flatMap((f) => [gt(f, 1, A), gt(f, 2, B)]), []),
    modes: ['trackeval'],
    expect: { HOTA: 0, DetA: 0, AssA: 0, LocA: 1, MOTA: 0, CLR_FN: 6, CLR_TP: 0, ML: 2, MLR: 1, IDF1: 0, IDFN: 6, Dets: 0, GT_Dets: 6 },
  },
  {
    name: 'a tracker box on a distractor (static person) is removed',
    seq: sequence([gt(1, 1, A), gt(1, 2, B, 7)], [trk(1, 1, A), trk(1, 2, B)]),
    modes: ['trackeval'],
    expect: { Dets: 1, GT_Dets: 1, CLR_FP: 0, MOTA: 1, HOTA: 1 },
  },
  {
    name: 'plain mode keeps distractors as gt',
    seq: sequence([gt(1, 1, A), gt(1, 2, B, 7)], [trk(1, 1, A), trk(1, 2, B)]),
    modes: ['plain'],
    expect: { Dets: 2, GT_Dets: 2, CLR_FP: 0, MOTA: 1 },
  },
  {
    name: 'a box overlapping a distractor with IoU below 0.5 stays a false positive',
    seq: sequence([gt(1, 1, A), gt(1, 2, B, 8)], [trk(1, 1, A), trk(1, 2, B_SHIFTED)]),
    modes: ['trackeval'],
    expect: { Dets: 2, GT_Dets: 1, CLR_FP: 1, MOTA: 0 },
  },
  {
    name: 'a pedestrian with consider = 0 leaves the gt, and its tracker box counts as a false positive',
    seq: sequence([gt(1, 1, A, 1, 0)], [trk(1, 1, A)]),
    modes: ['trackeval'],
    expect: { GT_Dets: 0, Dets: 1, CLR_FP: 1, MOTA: 0, MLR: 1, HOTA: 0, IDFP: 1 },
  },
  {
    name: 'IoU exactly 0.5 is a match',
    seq: sequence([gt(1, 1, A)], [trk(1, 1, A_TALL)]),
    modes: ['trackeval', 'plain'],
    expect: { CLR_TP: 1, MOTA: 1, MOTP: 0.5, IDTP: 1 },
  },
  {
    // Frame 3 misses the gt; in frame 4 the old tracker id is back (IoU 0.6) next to a better box of a new id.
    name: 'TrackEval: a gt missed for a frame is matched afresh, by best IoU (a switch)',
    seq: sequence(frames(1, 4).map((f) => gt(f, 1, A)), [trk(1, 1, A), trk(2, 1, A), trk(3, 9, FAR), trk(4, 1, A_SHIFTED), trk(4, 2, A)]),
    modes: ['trackeval'],
    expect: { CLR_TP: 3, CLR_FN: 1, CLR_FP: 2, IDSW: 1, Frag: 1 },
  },
  {
    name: 'py-motmetrics: a gt missed for a frame goes back to its old tracker id (no switch)',
    seq: sequence(frames(1, 4).map((f) => gt(f, 1, A)), [trk(1, 1, A), trk(2, 1, A), trk(3, 9, FAR), trk(4, 1, A_SHIFTED), trk(4, 2, A)]),
    modes: ['plain'],
    expect: { CLR_TP: 3, CLR_FN: 1, CLR_FP: 2, IDSW: 0, Frag: 1 },
  },
  {
    name: 'TrackEval: tracked in 4 of 5 frames is partially tracked (MT needs > 80%)',
    seq: sequence(frames(1, 5).map((f) => gt(f, 1, A)), frames(1, 4).map((f) => trk(f, 1, A))),
    modes: ['trackeval'],
    expect: { MT: 0, PT: 1, ML: 0 },
  },
  {
    name: 'py-motmetrics: tracked in 4 of 5 frames is mostly tracked (>= 80%)',
    seq: sequence(frames(1, 5).map((f) => gt(f, 1, A)), frames(1, 4).map((f) => trk(f, 1, A))),
    modes: ['plain'],
    expect: { MT: 1, PT: 0, ML: 0 },
  },
];

for (const c of cases) {
  for (const mode of c.modes) {
    test(`${mode}: ${c.name}`, () => {
      const got = summaryRecord(evaluateSequence(c.seq, mode));
      for (const [field, want] of Object.entries(c.expect)) {
        assert.ok(Math.abs(got[field as SummaryField] - want) < 1e-12, `${field}: expected ${want}, got ${got[field as SummaryField]}`);
      }
    });
  }
}

test('plain mode also reports py-motmetrics numbers under their own names (motp is a distance)', () => {
  const r = evaluateSequence(sequence([gt(1, 1, A)], [trk(1, 1, A_TALL)]), 'plain');
  assert.equal(r.motmetrics?.num_matches, 1);
  assert.equal(r.motmetrics?.motp, 0.5);
  assert.equal(r.motmetrics?.mota, 1);
  assert.equal(evaluateSequence(sequence([gt(1, 1, A)], [trk(1, 1, A)]), 'trackeval').motmetrics, null);
});

test('combined counts are the sums, and HOTA is recomputed from summed counts', () => {
  const perfect = evaluateSequence(sequence([gt(1, 1, A)], [trk(1, 1, A)]), 'trackeval');
  const missed = evaluateSequence(sequence([gt(1, 1, A)], []), 'trackeval');
  const combined = summaryRecord(combineSequences([perfect, missed]));
  assert.equal(combined.CLR_TP, 1);
  assert.equal(combined.CLR_FN, 1);
  assert.equal(combined.GT_Dets, 2);
  assert.equal(combined.MOTA, 0.5);
  assert.equal(combined.DetA, 0.5);
  assert.equal(combined.AssA, 1);
  assert.ok(Math.abs(combined.HOTA - Math.SQRT1_2) < 1e-15);
});

const invalid: Array<{ name: string; seq: SequenceInput; message: RegExp }> = [
  {
    name: 'a tracker frame beyond seqLength',
    seq: sequence([gt(1, 1, A)], [trk(1, 1, A), trk(4, 1, A)], 3),
    message: /^trk\.txt:2: expected a frame between 1 and 3 \(seqLength of toy\), got "frame 4"$/,
  },
  {
    name: 'an id twice in one frame',
    seq: sequence([gt(1, 1, A)], [trk(1, 5, A), trk(1, 5, B)]),
    message: /^trk\.txt:2: expected each id once per frame, got id 5 again in frame 1 \(first at line 1\)$/,
  },
  {
    name: 'a tracker class other than pedestrian',
    seq: sequence([gt(1, 1, A)], ['1,1,0,0,10,10,1,3,-1,-1']),
    message: /^trk\.txt:1: expected class -1 or 1 in column 8 \(only pedestrians are evaluated\), got "class 3"$/,
  },
  {
    name: 'a gt class outside MOT17 when MOT17 rules are asked for',
    seq: { ...sequence([gt(1, 1, A, 0)], [trk(1, 1, A)]), benchmark: 'MOT17' },
    message: /^gt\.txt:1: expected a MOT17 class between 1 and 13 in column 8; use plain mode for other gt, got "class 0"$/,
  },
];

for (const c of invalid) {
  test(`trackeval rejects ${c.name}, naming file and line`, () => {
    assert.throws(() => evaluateSequence(c.seq, 'trackeval'), (err: unknown) => {
      assert.ok(isAppError(err, 'MOT_FILE_INVALID'), String(err));
      assert.match(err.message, c.message);
      return true;
    });
  });
}

test('IoU as the references compute it', () => {
  const box = (x: number, y: number, w: number, h: number) => ({ x, y, w, h });
  for (const iou of [iouTrackEval, iouMotmetrics]) {
    assert.equal(iou(box(0, 0, 10, 10), box(0, 0, 10, 10)), 1);
    assert.equal(iou(box(0, 0, 10, 10), box(0, 0, 10, 20)), 0.5);
    assert.equal(iou(box(0, 0, 10, 10), box(10, 0, 10, 10)), 0);
    assert.equal(iou(box(0, 0, 0, 10), box(0, 0, 10, 10)), 0);
  }
});

test('gt without MOT17 classes is evaluated with MOT15 rules: every gt row counts, no distractor removal', () => {
  // Class 7 (static person) would make the gt row a distractor under MOT17 rules; -1 marks MOT15 gt.
  const mot15 = sequence([gt(1, 1, A, -1), gt(1, 2, B, -1)], [trk(1, 1, A), trk(1, 2, B)]);
  assert.equal(detectBenchmark(mot15.gt), 'MOT15');
  const r15 = evaluateSequence(mot15, 'trackeval');
  assert.equal(r15.clear.CLR_TP, 2);
  assert.equal(r15.clear.CLR_FP, 0);
  const mot17 = sequence([gt(1, 1, A), gt(1, 2, B, 7)], [trk(1, 1, A), trk(1, 2, B)]);
  assert.equal(detectBenchmark(mot17.gt), 'MOT17');
  const r17 = evaluateSequence(mot17, 'trackeval');
  assert.equal(r17.clear.CLR_TP, 1);
  assert.equal(r17.clear.CLR_FP, 0); // the box on the static person is removed, not counted
});
