import { frameRgb, type Frame } from '../core/types.ts';

/** Pixel rectangle [x, y, w, h] of a tile given as fractions of a frame, rounded to even sizes inside the frame. */
export function tilePixels(rect: readonly [number, number, number, number], width: number, height: number): [number, number, number, number] {
  const x = Math.max(0, Math.min(width - 2, Math.round(rect[0] * width)));
  const y = Math.max(0, Math.min(height - 2, Math.round(rect[1] * height)));
  const w = Math.max(2, Math.min(width - x, Math.round(rect[2] * width)) & ~1);
  const h = Math.max(2, Math.min(height - y, Math.round(rect[3] * height)) & ~1);
  return [x, y, w, h];
}

/** The tile `rect` (fractions of the frame) of a frame as a frame of its own (RGB copied; no detector image). */
export function cropFrame(frame: Frame, rect: readonly [number, number, number, number]): Frame {
  const [x, y, w, h] = tilePixels(rect, frame.width, frame.height);
  const rgb = new Uint8Array(w * h * 3);
  const whole = frameRgb(frame, 'a mosaic tile');
  for (let row = 0; row < h; row++) {
    const from = ((y + row) * frame.width + x) * 3;
    rgb.set(whole.subarray(from, from + w * 3), row * w * 3);
  }
  return { index: frame.index, timeMs: frame.timeMs, width: w, height: h, rgb };
}
