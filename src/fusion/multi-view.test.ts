import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gaussian, mulberry32 } from '../core/random.ts';
import type { Point } from '../core/types.ts';
import { associateViews, multiViewOptions, type AssociationMode, type MultiViewResult, type ViewDetection } from './multi-view.ts';

/** A unit vector of `dim` gaussian entries. */
function unit(rand: () => number, dim: number): Float32Array {
  const v = Float32Array.from({ length: dim }, () => gaussian(rand));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** `base` plus noise of size `noise`, re-normalised (cosine to base about 1 / sqrt(1 + noise²)). */
function jitter(rand: () => number, base: Float32Array, noise: number): Float32Array {
  const v = base.map((x) => x + (noise / Math.sqrt(base.length)) * gaussian(rand));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

interface Scene {
  readonly views: ViewDetection[][];
  /** True person of each detection, per view. */
  readonly truth: number[][];
}

/** People at `positions`, seen by every view in `seenBy[p]` (default all) with position noise and shuffled order. */
function scene(positions: readonly Point[], opts: { views: number; noiseM: number; seed: number; appearanceNoise?: number; seenBy?: (p: number) => number[] }): Scene {
  const rand = mulberry32(opts.seed);
  const looks = positions.map(() => unit(rand, 32));
  const views: ViewDetection[][] = [], truth: number[][] = [];
  for (let v = 0; v < opts.views; v++) {
    const rows: { d: ViewDetection; p: number }[] = [];
    positions.forEach((pos, p) => {
      if (opts.seenBy && !opts.seenBy(p).includes(v)) return;
      rows.push({
        p,
        d: {
          positionM: [pos[0] + opts.noiseM * gaussian(rand), pos[1] + opts.noiseM * gaussian(rand)],
          uncertaintyM: Math.max(opts.noiseM, 0.01),
          embedding: jitter(rand, looks[p]!, opts.appearanceNoise ?? 0.5),
        },
      });
    });
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    views.push(rows.map((r) => r.d));
    truth.push(rows.map((r) => r.p));
  }
  return { views, truth };
}

/** The partition of the result as sets of true persons' detections, to compare with the truth. */
function personsOfTruth(result: MultiViewResult, s: Scene): number[][] {
  return result.persons.map((person) => person.links.map((l) => s.truth[l.view]![l.index]!));
}

function assertOneDetectionPerView(result: MultiViewResult): void {
  for (const person of result.persons) {
    const views = person.links.map((l) => l.view);
    assert.equal(new Set(views).size, views.length, `a person holds two detections of one view: ${views.join(',')}`);
  }
}

const tenPeople: Point[] = Array.from({ length: 10 }, (_, i) => [2 + (i % 5) * 3, 2 + Math.floor(i / 5) * 4]);

describe('associateViews', () => {
  for (const mode of ['position', 'appearance', 'both'] as AssociationMode[]) {
    test(`${mode}: 3 views, 10 people 3 m apart, 10 cm noise: 10 persons, each with its 3 detections`, () => {
      const s = scene(tenPeople, { views: 3, noiseM: 0.1, seed: 7 });
      const result = associateViews(s.views, { mode });
      assert.equal(result.persons.length, 10);
      for (const members of personsOfTruth(result, s)) {
        assert.equal(members.length, 3);
        assert.equal(new Set(members).size, 1, `mixed persons ${members.join(',')}`);
      }
      assertOneDetectionPerView(result);
      for (const p of result.persons) {
        const truth = tenPeople[s.truth[p.links[0]!.view]![p.links[0]!.index]!]!;
        assert.ok(Math.hypot(p.positionM[0] - truth[0], p.positionM[1] - truth[1]) < 0.3, 'fused position near the truth');
        assert.ok(p.uncertaintyM < 0.1, 'three views are more precise than one');
      }
    });
  }

  test('a person seen by one view only is a person of its own, with no link evidence', () => {
    const s = scene(tenPeople, { views: 3, noiseM: 0.1, seed: 3, seenBy: (p) => (p === 4 ? [1] : [0, 1, 2]) });
    const result = associateViews(s.views);
    assert.equal(result.persons.length, 10);
    const alone = result.persons.filter((p) => p.links.length === 1);
    assert.equal(alone.length, 1);
    assert.equal(s.truth[alone[0]!.links[0]!.view]![alone[0]!.links[0]!.index], 4);
    assert.deepEqual([alone[0]!.links[0]!.distanceM, alone[0]!.links[0]!.similarity, alone[0]!.links[0]!.cost], [null, null, null]);
  });

  test('two people 0.3 m apart (inside the gate) are told apart by appearance; position alone cannot', () => {
    const pair: Point[] = [[5, 5], [5.3, 5]];
    let bothRight = 0, positionRight = 0;
    const seeds = 20;
    for (let seed = 1; seed <= seeds; seed++) {
      const s = scene(pair, { views: 3, noiseM: 0.15, seed, appearanceNoise: 0.3 });
      const right = (r: MultiViewResult) => r.persons.length === 2 && personsOfTruth(r, s).every((m) => m.length === 3 && new Set(m).size === 1);
      if (right(associateViews(s.views, { mode: 'both' }))) bothRight++;
      if (right(associateViews(s.views, { mode: 'position' }))) positionRight++;
    }
    assert.equal(bothRight, seeds, `both: ${bothRight}/${seeds} scenes split right`);
    assert.ok(positionRight < seeds * 0.8, `position alone should often mix them up, got ${positionRight}/${seeds} right`);
  });

  test('at most one detection per view per person, even when one view has two detections on one spot', () => {
    const views: ViewDetection[][] = [
      [{ positionM: [0, 0], uncertaintyM: 0.1 }, { positionM: [0.05, 0], uncertaintyM: 0.1 }],
      [{ positionM: [0.02, 0], uncertaintyM: 0.1 }],
      [{ positionM: [0, 0.03], uncertaintyM: 0.1 }, { positionM: [0.01, 0.01], uncertaintyM: 0.1 }, { positionM: [0.04, 0], uncertaintyM: 0.1 }],
    ];
    const result = associateViews(views, { mode: 'position' });
    assertOneDetectionPerView(result);
    assert.equal(result.persons.length, 3);
    assert.deepEqual(result.personOf.map((p) => p.length), [2, 1, 3]);
  });

  test('the gate is a hard limit in `both`: alike but 2 m apart stay two persons', () => {
    const look = unit(mulberry32(1), 16);
    const result = associateViews([[{ positionM: [0, 0], uncertaintyM: 0.1, embedding: look }], [{ positionM: [2, 0], uncertaintyM: 0.1, embedding: look }]]);
    assert.equal(result.persons.length, 2);
  });

  test('the evidence of each link: distance to the others, the gate ratio, similarity, cost', () => {
    const look = unit(mulberry32(2), 16);
    const result = associateViews([[{ positionM: [0, 0], uncertaintyM: 0.1, embedding: look }], [{ positionM: [0.3, 0.4], uncertaintyM: 0.1, embedding: look }]], { mode: 'both' });
    assert.equal(result.persons.length, 1);
    const [a, b] = result.persons[0]!.links;
    assert.ok(Math.abs(a!.distanceM! - 0.5) < 1e-9 && Math.abs(b!.distanceM! - 0.5) < 1e-9);
    assert.ok(Math.abs(a!.gateRatio! - 0.5 / 0.5) < 1e-9, 'the gate is the 0.5 m minimum here');
    assert.ok(Math.abs(a!.similarity! - 1) < 1e-6);
    assert.ok(Math.abs(a!.cost! - 2 / 3) < 1e-6, 'two thirds position (ratio 1), one third appearance (0)');
    const [x, y] = result.persons[0]!.positionM;
    assert.ok(Math.abs(x - 0.15) < 1e-9 && Math.abs(y - 0.2) < 1e-9, 'equal uncertainties: the midpoint');
  });

  test('the result does not depend on the order of the views', () => {
    const s = scene(
      Array.from({ length: 12 }, (_, i): Point => [1 + (i % 4) * 0.9, 1 + Math.floor(i / 4) * 0.9]),
      { views: 4, noiseM: 0.12, seed: 11, seenBy: (p) => [0, 1, 2, 3].filter((v) => (p + v) % 3 !== 0) },
    );
    // Each person as its detections named by original view and index, so two results compare as partitions.
    const key = (r: MultiViewResult, order: number[]) =>
      r.persons.map((p) => p.links.map((l) => `${order[l.view]}:${l.index}`).sort().join(' ')).sort().join(' | ');
    const forward = associateViews(s.views);
    const order = [2, 0, 3, 1];
    const permuted = associateViews(order.map((v) => s.views[v]!));
    assert.equal(key(permuted, order), key(forward, [0, 1, 2, 3]));
  });

  test('appearance mode: a detection without an embedding joins no one', () => {
    const look = unit(mulberry32(3), 16);
    const result = associateViews([[{ positionM: [0, 0], uncertaintyM: 0.1, embedding: look }], [{ positionM: [0, 0], uncertaintyM: 0.1 }]], { mode: 'appearance' });
    assert.equal(result.persons.length, 2);
  });

  test('no views, or views without detections, give no persons', () => {
    assert.deepEqual(associateViews([]).persons, []);
    assert.deepEqual(associateViews([[], []]).personOf, [[], []]);
  });

  for (const [name, partial, message] of [
    ['mode', { mode: 'colour' as AssociationMode }, /mode must be/],
    ['gateSigmas', { gateSigmas: 0 }, /gateSigmas must be a positive number, got 0/],
    ['minSimilarity', { minSimilarity: 1 }, /minSimilarity must be in \(-1, 1\), got 1/],
    ['appearanceWeight', { appearanceWeight: 2 }, /appearanceWeight must be in \[0, 1\], got 2/],
    ['refineRounds', { refineRounds: 1.5 }, /refineRounds must be a whole number/],
  ] as const) {
    test(`option ${name} out of range is named`, () => assert.throws(() => multiViewOptions(partial), message));
  }

  test('a detection without a finite position or a positive uncertainty is named', () => {
    assert.throws(() => associateViews([[{ positionM: [0, 0], uncertaintyM: 0.1 }], [{ positionM: [NaN, 0], uncertaintyM: 0.1 }]]), /view 1 detection 0/);
    assert.throws(() => associateViews([[{ positionM: [0, 0], uncertaintyM: 0 }]]), /view 0 detection 0/);
  });
});
