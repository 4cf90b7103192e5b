import { bottomCenter, pointInPolygonXY } from '../core/geometry.ts';
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
  const b = t.boxXyxy;
  const x = (b[0] + b[2]) / 2;
  const y = anchor === 'center' ? (b[1] + b[3]) / 2 : b[3];
  return pointInPolygonXY(Math.min(x / frameWidth, 1 - 1e-9), Math.min(y / frameHeight, 1 - 1e-9), zone.polygonNorm);
}

/** What `insideFlags` reads of a frame. */
interface FrameTracks {
  readonly tracks: readonly Track[];
  readonly widthPx: number;
  readonly heightPx: number;
}

/** The frame whose flags are memoised: the rules of a camera ask about the same frame one after another. */
let memoTracks: readonly Track[] | null = null;
/** Per zone and anchor: the flags buffer (reused from frame to frame) and the frame it holds. */
const memo = new Map<Zone, { tracks: (readonly Track[] | null)[]; flags: Uint8Array[] }>();

/**
 * Which tracks of a frame are in a zone: flags by track index (1 = inside; read indexes below `tracks.length` only),
 * computed once per frame, zone and anchor and shared by every rule and counter that asks (a pure memo of the last
 * frame's track list: same input, same output). The buffer is reused for the next frame: use it before asking about
 * another frame.
 */
export function insideFlags(f: FrameTracks, zone: Zone, anchor: Anchor = 'bottom-center'): Uint8Array {
  if (memoTracks !== f.tracks) {
    memoTracks = f.tracks;
    // Zones of cameras that are gone would pile up; a camera has few zones, so clearing when many is cheap and rare.
    if (memo.size > 4096) memo.clear();
  }
  let m = memo.get(zone);
  if (!m) memo.set(zone, (m = { tracks: [null, null], flags: [new Uint8Array(0), new Uint8Array(0)] }));
  const slot = anchor === 'center' ? 1 : 0;
  if (m.tracks[slot] === f.tracks) return m.flags[slot]!;
  let flags = m.flags[slot]!;
  if (flags.length < f.tracks.length) flags = m.flags[slot] = new Uint8Array(Math.max(64, f.tracks.length * 2));
  for (let i = 0; i < f.tracks.length; i++) flags[i] = inZone(f.tracks[i]!, zone, f.widthPx, f.heightPx, anchor) ? 1 : 0;
  m.tracks[slot] = f.tracks;
  return flags;
}
