/**
 * Cuts a box out of a packed RGB24 frame and resizes it (stretching, no letterbox: re-id and classifier models are
 * trained on crops resized to a fixed size) into a planar, normalised float tensor, at an offset of a batch buffer.
 * Bilinear sampling with pixel centres at +0.5 (OpenCV's INTER_LINEAR). Pure.
 */

import type { BoxXyxy } from '../core/types.ts';
import type { PixelNormalisation } from './letterbox.ts';

/** The part of a normalisation a crop needs. */
export type CropNormalisation = Pick<PixelNormalisation, 'colorOrder' | 'pixelScale' | 'mean' | 'std'>;

/**
 * Writes the `box` region (frame pixels; clipped to the frame, at least one pixel) of the frame, resized to
 * `dstWidth` x `dstHeight`, into `out` as three planes starting at `offset`.
 */
export function cropResizeInto(
  rgb: Uint8Array,
  frameWidth: number,
  frameHeight: number,
  box: BoxXyxy,
  dstWidth: number,
  dstHeight: number,
  norm: CropNormalisation,
  out: Float32Array,
  offset: number,
): void {
  if (rgb.length !== frameWidth * frameHeight * 3) {
    throw new RangeError(`expected ${frameWidth * frameHeight * 3} RGB bytes for ${frameWidth}x${frameHeight}, got ${rgb.length}`);
  }
  // A box reaching outside the frame is clipped to it (padding the outside made different people look alike).
  const x0 = Math.min(Math.max(box[0], 0), frameWidth - 1);
  const y0 = Math.min(Math.max(box[1], 0), frameHeight - 1);
  const x1 = Math.max(Math.min(box[2], frameWidth), x0 + 1);
  const y1 = Math.max(Math.min(box[3], frameHeight), y0 + 1);
  const sx = (x1 - x0) / dstWidth;
  const sy = (y1 - y0) / dstHeight;
  const plane = dstWidth * dstHeight;
  const src = norm.colorOrder === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  const mul = [0, 1, 2].map((c) => norm.pixelScale / norm.std[c]!);
  const add = [0, 1, 2].map((c) => -norm.mean[c]! / norm.std[c]!);
  const xa = new Int32Array(dstWidth);
  const xb = new Int32Array(dstWidth);
  const xw = new Float32Array(dstWidth);
  for (let x = 0; x < dstWidth; x++) {
    const s = Math.min(Math.max(x0 + (x + 0.5) * sx - 0.5, 0), frameWidth - 1);
    const f = Math.floor(s);
    xa[x] = f * 3;
    xb[x] = Math.min(f + 1, frameWidth - 1) * 3;
    xw[x] = s - f;
  }
  const stride = frameWidth * 3;
  for (let y = 0; y < dstHeight; y++) {
    const s = Math.min(Math.max(y0 + (y + 0.5) * sy - 0.5, 0), frameHeight - 1);
    const f = Math.floor(s);
    const r0 = f * stride;
    const r1 = Math.min(f + 1, frameHeight - 1) * stride;
    const wy = s - f;
    for (let c = 0; c < 3; c++) {
      const ch = src[c]!;
      const m = mul[c]!;
      const a = add[c]!;
      let o = offset + c * plane + y * dstWidth;
      for (let x = 0; x < dstWidth; x++, o++) {
        const wx = xw[x]!;
        const top = rgb[r0 + xa[x]! + ch]! * (1 - wx) + rgb[r0 + xb[x]! + ch]! * wx;
        const bottom = rgb[r1 + xa[x]! + ch]! * (1 - wx) + rgb[r1 + xb[x]! + ch]! * wx;
        out[o] = (top * (1 - wy) + bottom * wy) * m + a;
      }
    }
  }
}
