import { bottomCenter, pointInPolygon } from '../core/geometry.ts';
import type { BoxXyxy, Point, Track } from '../core/types.ts';

/** A polygon zone of a camera; corners in 0..1 of the frame size. */
export interface Zone {
  readonly id: string;
  readonly polygonNorm: readonly Point[];
}

/** Which point of a box stands for the object: where it touches the ground (default) or the box centre. */
export type Anchor = 'bottom-center' | 'center';

/** The zone used when a camera configures none: the whole frame. */
export const WHOLE_FRAME_ZONE: Zone = Object.freeze({ id: 'all', polygonNorm: [[0, 0], [1, 0], [1, 1], [0, 1]] as Point[] });

/** The anchor point of a box, in the box's units. */
export function anchorPoint(b: BoxXyxy, anchor: Anchor = 'bottom-center'): Point {
  return anchor === 'center' ? [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] : bottomCenter(b);
}

/**
 * True when the anchor of a track's box (bottom-centre by default: where it stands) is inside the zone; a point on the
 * frame's bottom or right edge counts as inside, so a whole-frame zone contains every box.
 */
export function inZone(t: Pick<Track, 'boxXyxy'>, zone: Zone, frameWidth: number, frameHeight: number, anchor: Anchor = 'bottom-center'): boolean {
  const [x, y] = anchorPoint(t.boxXyxy, anchor);
  const p: Point = [Math.min(x / frameWidth, 1 - 1e-9), Math.min(y / frameHeight, 1 - 1e-9)];
  return pointInPolygon(p, zone.polygonNorm);
}
