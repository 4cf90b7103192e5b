/**
 * A small grey picture of an RGB24 frame for motion detection (pure): each output pixel is the luma (R + 2G + B) / 4
 * averaged over a 2x2 grid of samples inside its cell, so the cost depends on the thumbnail, not the frame.
 */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Height of a `width`-wide thumbnail of a `frameWidth` x `frameHeight` frame (aspect kept, at least 1). */
export function thumbnailHeight(frameWidth: number, frameHeight: number, width: number): number {
  return Math.max(1, Math.round((width * frameHeight) / frameWidth));
}

/** Fills `out` (or a new buffer) with the grey thumbnail of `rgb`, `width` pixels wide. */
export function greyThumbnail(rgb: Uint8Array, frameWidth: number, frameHeight: number, width: number, out?: Uint8Array): GreyImage {
  const w = Math.min(width, frameWidth);
  const h = thumbnailHeight(frameWidth, frameHeight, w);
  const data = out && out.length === w * h ? out : new Uint8Array(w * h);
  const sx = frameWidth / w;
  const sy = frameHeight / h;
  for (let y = 0; y < h; y++) {
    const y0 = Math.min(frameHeight - 1, Math.floor((y + 0.25) * sy));
    const y1 = Math.min(frameHeight - 1, Math.floor((y + 0.75) * sy));
    const r0 = y0 * frameWidth * 3;
    const r1 = y1 * frameWidth * 3;
    for (let x = 0; x < w; x++) {
      const x0 = Math.min(frameWidth - 1, Math.floor((x + 0.25) * sx)) * 3;
      const x1 = Math.min(frameWidth - 1, Math.floor((x + 0.75) * sx)) * 3;
      const a = r0 + x0, b = r0 + x1, c = r1 + x0, d = r1 + x1;
      const sum =
        rgb[a]! + 2 * rgb[a + 1]! + rgb[a + 2]! + rgb[b]! + 2 * rgb[b + 1]! + rgb[b + 2]! +
        rgb[c]! + 2 * rgb[c + 1]! + rgb[c + 2]! + rgb[d]! + 2 * rgb[d + 1]! + rgb[d + 2]!;
      data[y * w + x] = (sum + 8) >> 4;
    }
  }
  return { width: w, height: h, data };
}
