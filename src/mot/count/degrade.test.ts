import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MotRow } from '../eval/parse.ts';
import { degradeSequence, type DegradeOptions } from './degrade.ts';

const FRAME = { seqLength: 2000, imWidth: 1000, imHeight: 600 };
/** 2000 frames of 10 people; person `id` has a box of (20 + 2 id) x (50 + 10 id) px that drifts slowly. */
const GT: MotRow[] = Array.from({ length: FRAME.seqLength }, (_, f) =>
  Array.from({ length: 10 }, (_, i): MotRow => ({
    frame: f + 1, id: i + 1, x: 50 + 80 * i + (f % 50), y: 100 + 20 * i, w: 20 + 2 * (i + 1), h: 50 + 10 * (i + 1), conf: 1, classId: 1, line: f * 10 + i + 1,
  })),
).flat();

const parse = (text: string) =>
  text.trim().split('\n').map((l) => {
    const [frame, id, x, y, w, h, score] = l.split(',').map(Number) as [number, number, number, number, number, number, number];
    return { frame, id, x, y, w, h, score };
  });
const run = (o: Partial<DegradeOptions>, name = 'SEQ') => degradeSequence(GT, FRAME, name, { drop: 0, jitter: 0, falseRate: 0, seed: 1, ...o });
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const std = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((v) => (v - m) ** 2)));
};

test('degrade is deterministic for a seed and a sequence, and differs between seeds and between sequences', () => {
  const o = { drop: 0.2, jitter: 0.05, falseRate: 0.02 };
  const a = run({ ...o, seed: 7 }).text;
  assert.equal(run({ ...o, seed: 7 }).text, a);
  assert.notEqual(run({ ...o, seed: 8 }).text, a);
  assert.notEqual(run({ ...o, seed: 7 }, 'OTHER').text, a);
});

test('without faults the detections are the gt boxes, sorted by frame, in MOTChallenge det format', () => {
  const d = run({});
  const rows = parse(d.text);
  assert.equal(rows.length, GT.length);
  assert.deepEqual(rows.slice(0, 2).map(({ frame, id, x, y, w, h }) => [frame, id, x, y, w, h]), [[1, -1, 50, 100, 22, 60], [1, -1, 130, 120, 24, 70]]);
  assert.ok(rows.every((r, i) => i === 0 || r.frame >= rows[i - 1]!.frame));
  assert.ok(/^1,-1,50\.00,100\.00,22\.00,60\.00,1\.0000\n/.test(d.text), d.text.slice(0, 60));
});

test('drop 0.2 keeps 80 % of the true boxes (within 1 %, 3.5 standard deviations over 20000 boxes)', () => {
  const d = run({ drop: 0.2 });
  const kept = parse(d.text).length;
  assert.equal(kept, d.kept);
  assert.equal(d.trueBoxes, GT.length);
  assert.ok(Math.abs(kept / GT.length - 0.8) < 0.01, `kept ${kept / GT.length}`);
});

test('jitter 0.05 moves each corner by Gaussian noise of 5 % of the box height (mean 0, σ within 3 %)', () => {
  const rows = parse(run({ jitter: 0.05 }).text);
  const corner = (k: 'x1' | 'y1' | 'x2' | 'y2') =>
    rows.map((r, i) => {
      const g = GT[i]!;
      const got = { x1: r.x, y1: r.y, x2: r.x + r.w, y2: r.y + r.h }[k];
      const want = { x1: g.x, y1: g.y, x2: g.x + g.w, y2: g.y + g.h }[k];
      return (got - want) / g.h;
    });
  for (const k of ['x1', 'y1', 'x2', 'y2'] as const) {
    const e = corner(k);
    assert.ok(Math.abs(mean(e)) < 0.002, `${k} mean ${mean(e)}`);
    assert.ok(Math.abs(std(e) / 0.05 - 1) < 0.03, `${k} σ/h ${std(e)}`);
  }
});

test('false 0.02 adds about 2 % of the kept boxes as false boxes: gt-sized, inside the frame; every box scored 1.0 by default', () => {
  const rows = parse(run({ drop: 0.2, falseRate: 0.02 }).text);
  assert.ok(rows.every((r) => r.score === 1));
});

test('scores spread: false boxes U(0.3, 0.8), true boxes U(0.5, 1)', () => {
  const d = run({ drop: 0.2, falseRate: 0.02, scores: 'spread' });
  const rows = parse(d.text);
  const truth = new Set(GT.map((g) => `${g.frame}:${g.x},${g.y},${g.w},${g.h}`));
  const sizes = new Set(GT.map((g) => `${g.w}x${g.h}`));
  const isTrue = (r: (typeof rows)[number]) => truth.has(`${r.frame}:${r.x},${r.y},${r.w},${r.h}`);
  const falses = rows.filter((r) => !isTrue(r));
  const trues = rows.filter(isTrue);
  assert.equal(falses.length, d.falseBoxes);
  assert.equal(trues.length, d.kept);
  // Binomial(16000, 0.02): mean 320, σ 17.7; 20 % is 3.6 σ.
  assert.ok(Math.abs(falses.length / trues.length / 0.02 - 1) < 0.2, `false/kept ${falses.length / trues.length}`);
  for (const r of falses) {
    assert.ok(sizes.has(`${r.w}x${r.h}`), `size ${r.w}x${r.h}`);
    assert.ok(r.x >= 0 && r.y >= 0 && r.x + r.w <= FRAME.imWidth && r.y + r.h <= FRAME.imHeight, JSON.stringify(r));
    assert.ok(r.score >= 0.3 && r.score < 0.8, `false score ${r.score}`);
  }
  assert.ok(trues.every((r) => r.score >= 0.5 && r.score <= 1));
  assert.ok(Math.abs(mean(trues.map((r) => r.score)) - 0.75) < 0.01);
  assert.ok(Math.abs(mean(falses.map((r) => r.score)) - 0.55) < 0.03);
});
