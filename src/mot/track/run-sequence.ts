/** Runs a tracker over one sequence's detections, frame by frame, and collects MOTChallenge result rows. Pure. */

import type { Tracker } from '../../tracking/tracker.ts';
import type { SequenceDetections } from './det-file.ts';
import type { TrackRow } from '../../tracking/offline.ts';

/**
 * Feeds every frame (also those without detections) to `tracker` in order, with `frameTimeMs` from `frameRate`,
 * and returns one row per reported track and frame; frames `keepFrame` refuses are skipped (dropped).
 */
export function trackSequence(dets: SequenceDetections, tracker: Tracker, frameRate: number, keepFrame: (frame: number) => boolean = () => true): TrackRow[] {
  const rows: TrackRow[] = [];
  const msPerFrame = 1000 / frameRate;
  for (let i = 0; i < dets.frames.length; i++) {
    const frame = i + 1;
    // A dropped frame (a live camera on a busy machine) never reaches the tracker; time jumps over it.
    if (!keepFrame(frame)) continue;
    for (const t of tracker.update(dets.frames[i]!, i * msPerFrame)) {
      const [x1, y1, x2, y2] = t.boxXyxy;
      rows.push({ frame, id: t.id, x: x1, y: y1, w: x2 - x1, h: y2 - y1, score: t.score });
    }
  }
  return rows;
}
