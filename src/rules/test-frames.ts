/**
 * Synthetic tracks and frames shared by the rule tests (the contract suite and the per-rule tests). Test support only:
 * pure, no I/O, no clocks. Frames are 1000 x 1000 px, so a normalised coordinate times 1000 is a pixel.
 */
import type { Track } from '../core/types.ts';
import type { Rule, RuleFrame, RuleHit } from './rule.ts';

/** Frame size of the synthetic scenes, in pixels. */
export const SIZE_PX = 1000;
/** Time between two frames of the synthetic scenes, in ms (10 fps). */
export const STEP_MS = 100;

/** A confirmed 40 x 100 px person whose bottom-centre (feet) is at (x, y) px. */
export function person(id: number, x: number, y: number, over: Partial<Track> = {}): Track {
  return {
    id, boxXyxy: [x - 20, y - 100, x + 20, y], score: 0.8, classId: 0, label: 'person', state: 'confirmed', ageFrames: 10, hits: 10, matched: true,
    ...over,
  };
}

/** A frame at `timeMs` with these tracks. */
export function frameAt(timeMs: number, tracks: readonly Track[], frameIndex = Math.round(timeMs / STEP_MS)): RuleFrame {
  return { timeMs, frameIndex, widthPx: SIZE_PX, heightPx: SIZE_PX, tracks };
}

/** `count` frames STEP_MS apart from `startMs`, tracks from `at(i)`. */
export function frames(count: number, at: (i: number) => Track[], startMs = 0): RuleFrame[] {
  return Array.from({ length: count }, (_, i) => frameAt(startMs + i * STEP_MS, at(i)));
}

/** Feeds the frames to the rule; returns every hit with the frame it came from. */
export function run(rule: Rule, input: readonly RuleFrame[]): { frame: RuleFrame; hit: RuleHit }[] {
  return input.flatMap((frame) => rule.evaluate(frame).map((hit) => ({ frame, hit })));
}

/** The kinds of the hits in order, e.g. `['start', 'update', 'end']`. */
export function kinds(hits: readonly { hit: RuleHit }[]): string[] {
  return hits.map((h) => h.hit.kind);
}
