/**
 * A person's posture in one frame from the box and, when a pose model ran, the COCO-17 keypoints (pure). The box
 * alone says upright (taller than wide) or lying (wider than tall); keypoints add the torso's angle, which tells
 * lying from a box made wide by outstretched arms, bending from standing, and sitting (thighs level) from standing.
 */
import type { BoxXyxy, Keypoint } from '../core/types.ts';

/** What a person is doing with their body. `unknown`: the box is neither clearly upright nor lying and no keypoints say more. */
export type Posture = 'standing' | 'sitting' | 'bending' | 'lying' | 'unknown';

/** A posture with the measurements it came from. */
export interface PostureReading {
  readonly posture: Posture;
  /** Box width / height. */
  readonly aspect: number;
  /** Angle of the torso (mid-shoulders to mid-hips) from vertical, degrees; null without those keypoints. */
  readonly torsoDeg: number | null;
  /** The box is clearly taller than wide (aspect at most `UPRIGHT_MAX_ASPECT`): standing or sitting up. */
  readonly upright: boolean;
}

/** Keypoints below this confidence are treated as missing. */
export const MIN_KEYPOINT_SCORE = 0.5;
/**
 * A box at most this wide for its height holds an upright body: standing people measure 0.25-0.5, people sitting on a
 * chair 0.45-0.6 in the fall clips; someone sitting on the floor with legs out, bending or crouching is wider.
 */
export const UPRIGHT_MAX_ASPECT = 0.75;
/** A box at least this wide for its height holds a lying body (whatever the keypoints say). */
export const LYING_MIN_ASPECT = 1.2;
/** A torso at least this far from vertical lies (with a box at least `LYING_TORSO_MIN_ASPECT` wide) or bends. */
export const LYING_TORSO_DEG = 60;
const LYING_TORSO_MIN_ASPECT = 0.9;
const BENDING_TORSO_DEG = 40;
/** Thighs at least this far from vertical, torso upright: sitting. */
const SITTING_THIGH_DEG = 50;

// COCO-17 indices.
const L_SHOULDER = 5, R_SHOULDER = 6, L_HIP = 11, R_HIP = 12, L_KNEE = 13, R_KNEE = 14;

/** Midpoint of two keypoints, or the one that is confident, or null. */
function mid(k: readonly Keypoint[], a: number, b: number): { x: number; y: number } | null {
  const p = k[a], q = k[b];
  const okP = p !== undefined && p.score >= MIN_KEYPOINT_SCORE;
  const okQ = q !== undefined && q.score >= MIN_KEYPOINT_SCORE;
  if (okP && okQ) return { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 };
  if (okP) return p;
  if (okQ) return q;
  return null;
}

/** Angle of the segment from `a` to `b` from vertical, degrees 0..90. */
function fromVertical(a: { x: number; y: number }, b: { x: number; y: number }): number {
  return (Math.atan2(Math.abs(b.x - a.x), Math.abs(b.y - a.y)) * 180) / Math.PI;
}

/** The posture of a person seen with `boxXyxy` and, if a pose model ran, its keypoints (COCO-17 order). */
export function readPosture(boxXyxy: BoxXyxy, keypoints: readonly Keypoint[] | null): PostureReading {
  const w = boxXyxy[2] - boxXyxy[0];
  const h = Math.max(1e-6, boxXyxy[3] - boxXyxy[1]);
  const aspect = w / h;
  const shoulders = keypoints ? mid(keypoints, L_SHOULDER, R_SHOULDER) : null;
  const hips = keypoints ? mid(keypoints, L_HIP, R_HIP) : null;
  const knees = keypoints ? mid(keypoints, L_KNEE, R_KNEE) : null;
  const torsoDeg = shoulders && hips ? fromVertical(shoulders, hips) : null;
  const upright = aspect <= UPRIGHT_MAX_ASPECT;
  let posture: Posture;
  if (aspect >= LYING_MIN_ASPECT || (torsoDeg !== null && torsoDeg >= LYING_TORSO_DEG && aspect >= LYING_TORSO_MIN_ASPECT)) posture = 'lying';
  else if (torsoDeg !== null && torsoDeg >= BENDING_TORSO_DEG) posture = 'bending';
  else if (hips && knees && torsoDeg !== null && fromVertical(hips, knees) >= SITTING_THIGH_DEG) posture = 'sitting';
  else if (upright) posture = 'standing';
  else posture = 'unknown';
  return { posture, aspect, torsoDeg, upright: upright && posture !== 'lying' };
}
