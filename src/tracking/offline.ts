/**
 * Offline post-processing for batch analysis, when the whole video is known: gaps in a track (frames in which it was
 * not matched, up to `maxGapFrames`) are filled by linear interpolation between the boxes on either side. Pure.
 */

/** One track's box in one frame: 1-based frame, top-left + size in pixels (a MOTChallenge result row). */
export interface TrackRow {
  readonly frame: number;
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly score: number;
}

/** Options of `interpolateGaps`. */
export interface OfflineOptions {
  /** Longest gap (missing frames) that is filled; longer gaps stay open (the person probably left or was hidden). */
  readonly maxGapFrames: number;
}

/** Defaults: gaps of up to 20 frames are filled (as ByteTrack's and OC-SORT's offline interpolation). */
export const OFFLINE_DEFAULTS: OfflineOptions = Object.freeze({ maxGapFrames: 20 });

/** Returns `rows` plus interpolated rows for every gap of 1..maxGapFrames missing frames within one id. */
export function interpolateGaps(rows: readonly TrackRow[], options: OfflineOptions = OFFLINE_DEFAULTS): TrackRow[] {
  const byId = new Map<number, TrackRow[]>();
  for (const r of rows) {
    let list = byId.get(r.id);
    if (list === undefined) byId.set(r.id, (list = []));
    list.push(r);
  }
  const out: TrackRow[] = [...rows];
  for (const list of byId.values()) {
    list.sort((a, b) => a.frame - b.frame);
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      const gap = b.frame - a.frame - 1;
      if (gap < 1 || gap > options.maxGapFrames) continue;
      for (let f = a.frame + 1; f < b.frame; f++) {
        const t = (f - a.frame) / (b.frame - a.frame);
        out.push({
          frame: f,
          id: a.id,
          x: a.x + (b.x - a.x) * t,
          y: a.y + (b.y - a.y) * t,
          w: a.w + (b.w - a.w) * t,
          h: a.h + (b.h - a.h) * t,
          score: Math.min(a.score, b.score),
        });
      }
    }
  }
  return out;
}
