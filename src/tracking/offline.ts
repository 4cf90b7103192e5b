/**
 * Offline post-processing for batch analysis, when the whole video is known: gaps in a track (frames in which it was
 * not matched, up to `maxGapSeconds`) are filled by linear interpolation between the boxes on either side. Pure.
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
  /** Longest gap that is filled, in seconds; longer gaps stay open (the person probably left or stayed hidden). */
  readonly maxGapSeconds: number;
}

/** Defaults: gaps of up to 1.5 s are filled (most gaps the online tracker bridges). */
export const OFFLINE_DEFAULTS: OfflineOptions = Object.freeze({ maxGapSeconds: 1.5 });

/**
 * Returns `rows` plus interpolated rows for every gap within one id of at most `maxGapSeconds` (converted with
 * `frameRate`, at least one frame).
 */
export function interpolateGaps(rows: readonly TrackRow[], frameRate: number, options: OfflineOptions = OFFLINE_DEFAULTS): TrackRow[] {
  const maxGapFrames = Math.max(1, Math.round(options.maxGapSeconds * frameRate));
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
      if (gap < 1 || gap > maxGapFrames) continue;
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
