import { bottomCenter, pointInPolygon } from '../core/geometry.ts';
import type { BoxXyxy, Point, Track } from '../core/types.ts';

/** A polygon zone with the labels it cares about; corners in 0..1 of the frame size. */
export interface Zone {
  readonly id: string;
  readonly polygonNorm: readonly Point[];
  readonly labels: ReadonlySet<string>;
}

/** A confirmed track of a wanted label that is inside a zone in the current frame. */
export interface ZoneHit {
  readonly trackId: number;
  readonly zoneId: string;
  readonly label: string;
  readonly score: number;
  readonly boxXyxy: BoxXyxy;
}

/** The zone used when a camera configures none: the whole frame. */
export function wholeFrameZone(labels: readonly string[]): Zone {
  return { id: 'all', polygonNorm: [[0, 0], [1, 0], [1, 1], [0, 1]], labels: new Set(labels) };
}

/**
 * Finds which confirmed tracks are in which zones (pure). An object is inside when the bottom-centre of its
 * box (where it stands) is inside the polygon; a point on the frame's bottom edge counts as inside.
 */
export function zoneHits(tracks: readonly Track[], zones: readonly Zone[], frameWidth: number, frameHeight: number): ZoneHit[] {
  const hits: ZoneHit[] = [];
  for (const t of tracks) {
    if (t.state !== 'confirmed') continue;
    const [x, y] = bottomCenter(t.boxXyxy);
    // Nudge points on the bottom/right edge inside so a full-frame zone contains them.
    const p: Point = [Math.min(x / frameWidth, 1 - 1e-9), Math.min(y / frameHeight, 1 - 1e-9)];
    for (const z of zones) {
      if (z.labels.has(t.label) && pointInPolygon(p, z.polygonNorm)) {
        hits.push({ trackId: t.id, zoneId: z.id, label: t.label, score: t.score, boxXyxy: t.boxXyxy });
      }
    }
  }
  return hits;
}
