/**
 * Whether a closed segment is kept under its camera's recording mode (pure). `continuous` keeps everything; `motion`
 * and `events` keep a segment that overlaps an activity window widened by the pre- and post-roll, and wait while an
 * activity could still start within the pre-roll after the segment's end.
 */

/** A span of activity (motion, or an event); `endMs` null while it goes on. */
export interface ActivityWindow {
  readonly startMs: number;
  readonly endMs: number | null;
}

export type RecordMode = 'off' | 'continuous' | 'motion' | 'events';

/** The verdict on a segment: keep it, delete it, or decide later. */
export type SegmentVerdict = 'keep' | 'delete' | 'wait';

/** Decides for the segment [startMs, endMs] at `nowMs`. */
export function segmentVerdict(
  mode: RecordMode,
  segment: { readonly startMs: number; readonly endMs: number },
  activity: readonly ActivityWindow[],
  roll: { readonly preMs: number; readonly postMs: number },
  nowMs: number,
): SegmentVerdict {
  if (mode === 'continuous') return 'keep';
  if (mode === 'off') return 'delete';
  for (const a of activity) {
    const from = a.startMs - roll.preMs;
    const to = a.endMs === null ? Infinity : a.endMs + roll.postMs;
    if (from <= segment.endMs && to >= segment.startMs) return 'keep';
  }
  // An activity starting up to `preMs` after the segment ends would still want it.
  return nowMs < segment.endMs + roll.preMs ? 'wait' : 'delete';
}

/**
 * Adds an instant of activity (a frame with motion) to `windows`, extending the last window when the instant is within
 * `gapMs` of its end; returns the windows (the same array).
 */
export function addActivityInstant(windows: ActivityWindow[], timeMs: number, gapMs: number): ActivityWindow[] {
  const last = windows.at(-1);
  if (last && last.endMs !== null && timeMs - last.endMs <= gapMs && timeMs >= last.startMs) {
    windows[windows.length - 1] = { startMs: last.startMs, endMs: Math.max(last.endMs, timeMs) };
  } else windows.push({ startMs: timeMs, endMs: timeMs });
  return windows;
}

/** Drops windows that ended before `beforeMs` (they can no longer keep anything); returns the array. */
export function pruneActivity(windows: ActivityWindow[], beforeMs: number): ActivityWindow[] {
  let n = 0;
  while (n < windows.length && windows[n]!.endMs !== null && windows[n]!.endMs! < beforeMs) n++;
  windows.splice(0, n);
  return windows;
}
