/**
 * How far behind the live edge the live video plays, so that each frame's analysis has arrived when the frame is
 * presented (pure; times in seconds, the clock passed in).
 *
 * The video reaches the browser as soon as the camera's ffmpeg copies it; the analysis of the same frame arrives later,
 * after decoding and the detector. Played at the live edge, a frame would be shown before its boxes exist and the page
 * could only draw an older frame's boxes on it (the boxes trail the people). So the player measures, for every tracks
 * message, how far the video's live edge had got past that frame when its analysis arrived, and plays that far behind
 * (the largest such lag of the last few seconds plus a margin). Without analysis it plays at the live edge.
 */

/** Seconds of lags the delay is taken from. */
export const LAG_WINDOW_S = 5;
/** Added to the largest recent lag: a little slack for jitter. */
export const MARGIN_S = 0.05;
/** Smallest delay (the buffer a live MSE player keeps anyway) and the largest (beyond it, latency matters more). */
export const MIN_DELAY_S = 0.1;
export const MAX_DELAY_S = 2;
/** Beyond this error the player jumps; within it, it speeds up or slows down by at most `MAX_RATE_CHANGE`. */
export const SEEK_ERROR_S = 0.4;
export const MAX_RATE_CHANGE = 0.1;

export class PlayoutDelay {
  private readonly lags: { atS: number; lagS: number }[] = [];

  /** A tracks message arrived at `nowS` for the frame at `ptsS` while the newest buffered video ends at `liveEdgeS`. */
  analysisArrived(nowS: number, ptsS: number, liveEdgeS: number): void {
    this.lags.push({ atS: nowS, lagS: Math.max(0, liveEdgeS - ptsS) });
    while (this.lags.length > 0 && this.lags[0]!.atS < nowS - LAG_WINDOW_S) this.lags.shift();
  }

  /** The delay behind the live edge to play at now. */
  targetS(nowS: number): number {
    let worst = 0;
    for (const l of this.lags) if (l.atS >= nowS - LAG_WINDOW_S) worst = Math.max(worst, l.lagS);
    return Math.min(MAX_DELAY_S, Math.max(MIN_DELAY_S, worst + MARGIN_S));
  }

  /**
   * What to do with the playhead at `currentS` given the live edge: jump to a time (far off the target) or play at a
   * rate (near it; faster when too far behind, slower when too close).
   */
  steer(nowS: number, currentS: number, liveEdgeS: number): { seekToS: number | null; rate: number } {
    const target = this.targetS(nowS);
    const error = liveEdgeS - currentS - target; // > 0: too far behind
    if (Math.abs(error) > SEEK_ERROR_S) return { seekToS: Math.max(0, liveEdgeS - target), rate: 1 };
    return { seekToS: null, rate: 1 + Math.max(-MAX_RATE_CHANGE, Math.min(MAX_RATE_CHANGE, error)) };
  }
}
