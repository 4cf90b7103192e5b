/**
 * Gives each matched track the keypoints of the detection it was matched to. The tracker keeps boxes only, so the
 * match is made again here: each track takes the pose detection whose box overlaps its box most (IoU at least
 * `MIN_POSE_IOU`), one detection per track, best overlaps first. Pure.
 */
import { iou } from '../core/geometry.ts';
import type { Detection, Track } from '../core/types.ts';
import type { TrackPose } from '../rules/rule.ts';

/** Smallest overlap between a track and a detection for the detection's keypoints to be the track's. */
export const MIN_POSE_IOU = 0.5;

/** Poses of the matched tracks, by track id; null when no detection carries keypoints. */
export function posesOfTracks(tracks: readonly Track[], detections: readonly Detection[]): Map<number, TrackPose> | null {
  if (!detections.some((d) => d.keypoints !== undefined)) return null; // not a pose model: nothing allocated per frame
  const withPose = detections.filter((d) => d.keypoints !== undefined);
  const pairs: { t: number; d: number; overlap: number }[] = [];
  tracks.forEach((t, ti) => {
    if (!t.matched) return;
    withPose.forEach((d, di) => {
      const overlap = iou(t.boxXyxy, d.boxXyxy);
      if (overlap >= MIN_POSE_IOU) pairs.push({ t: ti, d: di, overlap });
    });
  });
  pairs.sort((a, b) => b.overlap - a.overlap);
  const usedT = new Set<number>(), usedD = new Set<number>();
  const out = new Map<number, TrackPose>();
  for (const { t, d } of pairs) {
    if (usedT.has(t) || usedD.has(d)) continue;
    usedT.add(t);
    usedD.add(d);
    const det = withPose[d]!;
    out.set(tracks[t]!.id, { boxXyxy: det.boxXyxy, keypoints: det.keypoints!, score: det.score });
  }
  return out;
}
