/**
 * Box outlines drawn straight into a packed RGB frame (pure): what the annotated video of a batch job shows. Written
 * here because it is a few loops; an image library would mean a copy and a compose per frame for the same result.
 */

/** A distinct colour per track id (golden-angle hues), as [r, g, b]. */
export function trackColour(id: number): [number, number, number] {
  const h = (id * 137.508) % 360;
  const f = (n: number) => {
    const k = (n + h / 60) % 6;
    return Math.round(255 * (1 - 0.85 * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

/** Draws the outline of [x1, y1, x2, y2] (pixels, clipped to the frame) `thickness` pixels wide. */
export function drawBox(rgb: Uint8Array, width: number, height: number, box: readonly [number, number, number, number], colour: readonly [number, number, number], thickness = 2): void {
  const x1 = Math.max(0, Math.min(width - 1, Math.round(box[0])));
  const y1 = Math.max(0, Math.min(height - 1, Math.round(box[1])));
  const x2 = Math.max(0, Math.min(width - 1, Math.round(box[2])));
  const y2 = Math.max(0, Math.min(height - 1, Math.round(box[3])));
  if (x2 <= x1 || y2 <= y1) return;
  const put = (x: number, y: number) => {
    const i = (y * width + x) * 3;
    rgb[i] = colour[0];
    rgb[i + 1] = colour[1];
    rgb[i + 2] = colour[2];
  };
  for (let t = 0; t < thickness; t++) {
    for (let x = x1; x <= x2; x++) {
      put(x, Math.min(y2, y1 + t));
      put(x, Math.max(y1, y2 - t));
    }
    for (let y = y1; y <= y2; y++) {
      put(Math.min(x2, x1 + t), y);
      put(Math.max(x1, x2 - t), y);
    }
  }
}
