/** Which analysis to draw on a presented frame, and how (pure apart from the canvas calls). */
import { inTickNorm } from '../lib/geometry-edit';

export interface TrackBox {
  readonly id: number | string;
  readonly label: string;
  readonly boxXyxy: readonly [number, number, number, number];
}
export interface TracksMessage {
  readonly pts: number | null;
  /** The frame's index in the camera's decoded stream. */
  readonly frameIndex?: number;
  readonly width: number;
  readonly height: number;
  readonly tracks: readonly TrackBox[];
}
export interface ZoneShape {
  readonly id: string;
  readonly polygon: readonly (readonly [number, number])[];
}
export interface LineShape {
  readonly id: string;
  readonly points: readonly (readonly [number, number])[];
  readonly in?: 'left' | 'right';
}

/**
 * The analysis to draw on the frame presented at `mediaTimeS`: the newest tracks message whose frame is this one or
 * an earlier one (pts at most `toleranceS` later, half a video frame), held at most `holdS` (frames between two
 * analysed ones keep the last boxes); null when there is none.
 */
export function messageForFrame(messages: readonly TracksMessage[], mediaTimeS: number, toleranceS: number, holdS: number): TracksMessage | null {
  let best: TracksMessage | null = null;
  for (const m of messages) {
    if (m.pts === null || m.pts > mediaTimeS + toleranceS) continue;
    if (!best || m.pts > best.pts!) best = m;
  }
  return best && mediaTimeS - best.pts! <= holdS ? best : null;
}

/** Draws zones, lines and one message's boxes on `g` (a canvas of the video's size). */
export function drawOverlay(g: CanvasRenderingContext2D, w: number, h: number, zones: readonly ZoneShape[], lines: readonly LineShape[], msg: TracksMessage | null): void {
  g.clearRect(0, 0, w, h);
  g.lineWidth = Math.max(2, w / 320);
  g.strokeStyle = 'rgba(255,214,10,0.85)';
  for (const z of zones) {
    g.beginPath();
    z.polygon.forEach(([x, y], i) => (i ? g.lineTo(x * w, y * h) : g.moveTo(x * w, y * h)));
    g.closePath();
    g.stroke();
  }
  g.strokeStyle = 'rgba(255,55,95,0.9)';
  for (const l of lines) {
    g.beginPath();
    l.points.forEach(([x, y], i) => (i ? g.lineTo(x * w, y * h) : g.moveTo(x * w, y * h)));
    g.stroke();
    if (l.points.length >= 2) {
      const [[x0, y0], [x1, y1]] = inTickNorm(l.points[0]!, l.points[1]!, l.in ?? 'right', w, h, 20);
      g.beginPath();
      g.moveTo(x0, y0);
      g.lineTo(x1, y1);
      g.stroke();
    }
  }
  if (!msg) return;
  const sx = w / msg.width;
  const sy = h / msg.height;
  g.strokeStyle = '#0af';
  g.fillStyle = '#0af';
  g.font = `${Math.max(12, Math.round(w / 50))}px sans-serif`;
  for (const t of msg.tracks) {
    const [x1, y1, x2, y2] = t.boxXyxy;
    g.strokeRect(x1 * sx, y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy);
    g.fillText(`${t.label} #${t.id}`, x1 * sx + 2, Math.max(12, y1 * sy - 3));
  }
}
