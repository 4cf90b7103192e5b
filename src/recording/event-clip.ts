/**
 * An event clip cut from a camera's recording segments (pure, given the segment files' bytes): the fragments from the
 * last keyframe at or before `fromMs` to `toMs`, joined into one playable fragmented MP4 with a continuous timeline.
 * Stops at a segment whose init differs (the camera's stream changed size or codec in between).
 */
import { completePrefix, joinFragments, type Fragment } from '../media/fmp4.ts';

/** A segment's bytes and wall-clock start. */
export interface SegmentBytes {
  readonly startMs: number;
  readonly data: Buffer;
}

/** The clip, or null when no segment has a fragment in the window. */
export function cutClip(segments: readonly SegmentBytes[], fromMs: number, toMs: number): { data: Buffer; startMs: number; endMs: number } | null {
  let init: Buffer | null = null;
  const timed: { f: Fragment; atMs: number }[] = [];
  for (const seg of segments) {
    const { init: segInit, fragments } = completePrefix(seg.data);
    if (!segInit || fragments.length === 0) continue;
    if (init && !init.equals(segInit.data)) break;
    init ??= segInit.data;
    const t0 = fragments[0]!.startTicks;
    for (const f of fragments) timed.push({ f, atMs: seg.startMs + ((f.startTicks - t0) / segInit.timescale) * 1000 });
  }
  if (!init) return null;
  let first = -1;
  for (let i = 0; i < timed.length && timed[i]!.atMs <= fromMs; i++) if (timed[i]!.f.keyframe) first = i;
  if (first < 0) first = timed.findIndex((t) => t.f.keyframe && t.atMs <= toMs);
  if (first < 0) return null;
  let last = first;
  while (last + 1 < timed.length && timed[last + 1]!.atMs <= toMs) last++;
  const chosen = timed.slice(first, last + 1);
  return { data: joinFragments(init, chosen.map((t) => t.f)), startMs: chosen[0]!.atMs, endMs: chosen.at(-1)!.atMs };
}
