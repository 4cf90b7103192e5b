/**
 * Which recording segments to delete (pure): by age and by size, per camera and in total, and to keep a floor of free
 * disk space; always oldest first, never a protected segment (one that belongs to an event marked "keep"). Segments
 * still being written are not given to the planner at all.
 */

/** A closed recording segment. */
export interface SegmentInfo {
  readonly cameraId: string;
  /** Wall-clock start and end, ms since the epoch. */
  readonly startMs: number;
  readonly endMs: number;
  readonly bytes: number;
  /** Path relative to the media folder. */
  readonly path: string;
}

/** Limits; 0 (or absent) means no limit. */
export interface RetentionLimits {
  readonly nowMs: number;
  /** Per camera: most age in ms (by segment end). */
  readonly maxAgeMs: (cameraId: string) => number;
  /** Per camera: most bytes. */
  readonly maxCameraBytes: (cameraId: string) => number;
  readonly maxTotalBytes: number;
  /** Free bytes on the disk now, and the floor to keep; null when unknown. */
  readonly freeBytes: number | null;
  readonly minFreeBytes: number;
  /** True for a segment that must not be deleted (it overlaps an event marked "keep"). */
  readonly isProtected: (segment: SegmentInfo) => boolean;
}

/** Why a segment goes. */
export type DeletionReason = 'age' | 'camera-size' | 'total-size' | 'free-space';

/** What to delete (oldest first within each reason) and what could not be achieved. */
export interface RetentionPlan {
  readonly deletions: { readonly segment: SegmentInfo; readonly reason: DeletionReason }[];
  /** Problems to log as warnings: the free-space floor was reached, or a limit cannot be met because of protected segments. */
  readonly warnings: string[];
}

const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/** Plans deletions for `segments` (any order) under `limits`. */
export function planRetention(segments: readonly SegmentInfo[], limits: RetentionLimits): RetentionPlan {
  const oldestFirst = [...segments].sort((a, b) => a.startMs - b.startMs || a.cameraId.localeCompare(b.cameraId));
  const deleted = new Set<SegmentInfo>();
  const deletions: { segment: SegmentInfo; reason: DeletionReason }[] = [];
  const warnings: string[] = [];
  const remove = (segment: SegmentInfo, reason: DeletionReason) => {
    deleted.add(segment);
    deletions.push({ segment, reason });
  };
  const deletable = (s: SegmentInfo) => !deleted.has(s) && !limits.isProtected(s);

  for (const s of oldestFirst) {
    const maxAge = limits.maxAgeMs(s.cameraId);
    if (maxAge > 0 && limits.nowMs - s.endMs > maxAge && deletable(s)) remove(s, 'age');
  }

  const cameras = [...new Set(oldestFirst.map((s) => s.cameraId))];
  for (const cameraId of cameras) {
    const max = limits.maxCameraBytes(cameraId);
    if (max <= 0) continue;
    const mine = oldestFirst.filter((s) => s.cameraId === cameraId);
    let total = mine.filter((s) => !deleted.has(s)).reduce((n, s) => n + s.bytes, 0);
    for (const s of mine) {
      if (total <= max) break;
      if (!deletable(s)) continue;
      remove(s, 'camera-size');
      total -= s.bytes;
    }
    if (total > max) warnings.push(`camera "${cameraId}" keeps ${mb(total)} of recordings, over its ${mb(max)} limit, because the rest belongs to events marked "keep"`);
  }

  let total = oldestFirst.filter((s) => !deleted.has(s)).reduce((n, s) => n + s.bytes, 0);
  if (limits.maxTotalBytes > 0) {
    for (const s of oldestFirst) {
      if (total <= limits.maxTotalBytes) break;
      if (!deletable(s)) continue;
      remove(s, 'total-size');
      total -= s.bytes;
    }
    if (total > limits.maxTotalBytes) warnings.push(`recordings take ${mb(total)}, over the ${mb(limits.maxTotalBytes)} total limit, because the rest belongs to events marked "keep"`);
  }

  if (limits.freeBytes !== null && limits.minFreeBytes > 0 && limits.freeBytes < limits.minFreeBytes) {
    // Bytes already planned for deletion count as freed.
    let free = limits.freeBytes + deletions.reduce((n, d) => n + d.segment.bytes, 0);
    const before = deletions.length;
    for (const s of oldestFirst) {
      if (free >= limits.minFreeBytes) break;
      if (!deletable(s)) continue;
      remove(s, 'free-space');
      free += s.bytes;
    }
    const freed = deletions.length - before;
    warnings.push(
      free >= limits.minFreeBytes
        ? `free disk space ${mb(limits.freeBytes)} is below the ${mb(limits.minFreeBytes)} floor: deleting the ${freed} oldest recording segments`
        : `free disk space ${mb(limits.freeBytes)} is below the ${mb(limits.minFreeBytes)} floor and deleting every deletable recording (${freed} segments) does not reach it; free space on the disk or lower recording.minFreeMb`,
    );
  }
  return { deletions, warnings };
}
