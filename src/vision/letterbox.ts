import type { BoxXyxy, PlanarImage } from '../core/types.ts';

/** How a frame was placed into a model input: `inputPx = framePx * scale + pad`. */
export interface LetterboxGeometry {
  readonly scale: number;
  readonly padX: number;
  readonly padY: number;
  /** Size of the resized image inside the input, in input pixels. */
  readonly resizedWidth: number;
  readonly resizedHeight: number;
}

/** A rectangle in whole pixels: top-left corner and size. */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Pixel normalisation: `value = (v * pixelScale - mean[c]) / std[c]`, channels in `colorOrder`. */
export interface PixelNormalisation {
  readonly colorOrder: 'rgb' | 'bgr';
  readonly pixelScale: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  readonly padValue: number;
  readonly align: 'top-left' | 'center';
}

/** Computes where a `srcWidth` x `srcHeight` frame lands in a `dstWidth` x `dstHeight` input, keeping aspect. */
export function letterboxGeometry(
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
  align: 'top-left' | 'center',
): LetterboxGeometry {
  const scale = Math.min(dstWidth / srcWidth, dstHeight / srcHeight);
  const resizedWidth = Math.min(dstWidth, Math.round(srcWidth * scale));
  const resizedHeight = Math.min(dstHeight, Math.round(srcHeight * scale));
  if (align === 'top-left') return { scale, padX: 0, padY: 0, resizedWidth, resizedHeight };
  // Ultralytics rounds the half padding with -0.1/+0.1 so odd padding puts the extra pixel bottom/right.
  const padX = Math.max(0, Math.round((dstWidth - resizedWidth) / 2 - 0.1));
  const padY = Math.max(0, Math.round((dstHeight - resizedHeight) / 2 - 0.1));
  return { scale, padX, padY, resizedWidth, resizedHeight };
}

/** Maps a box from model-input pixels back to frame pixels. */
export function unletterboxBox(b: BoxXyxy, g: LetterboxGeometry): BoxXyxy {
  return [(b[0] - g.padX) / g.scale, (b[1] - g.padY) / g.scale, (b[2] - g.padX) / g.scale, (b[3] - g.padY) / g.scale];
}

/** Source-pixel taps for bilinear resampling along one axis (OpenCV INTER_LINEAR centre alignment). */
interface AxisTaps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w1: Float32Array;
}

function axisTaps(srcSize: number, dstSize: number): AxisTaps {
  const i0 = new Int32Array(dstSize);
  const i1 = new Int32Array(dstSize);
  const w1 = new Float32Array(dstSize);
  const ratio = srcSize / dstSize;
  for (let d = 0; d < dstSize; d++) {
    const s = Math.min(Math.max((d + 0.5) * ratio - 0.5, 0), srcSize - 1);
    const f = Math.floor(s);
    i0[d] = f;
    i1[d] = Math.min(f + 1, srcSize - 1);
    w1[d] = s - f;
  }
  return { i0, i1, w1 };
}

/**
 * Converts packed RGB24 frames into a normalised planar (NCHW, batch 1) float tensor with letterboxing.
 * Reuses its output buffer and resampling tables between calls: one instance serves one caller at a time.
 */
export class Letterboxer {
  readonly width: number;
  readonly height: number;
  private readonly norm: PixelNormalisation;
  private readonly out: Float32Array;
  private cacheKey = '';
  private xTaps: AxisTaps | null = null;
  private yTaps: AxisTaps | null = null;
  private geometry: LetterboxGeometry | null = null;

  constructor(width: number, height: number, norm: PixelNormalisation) {
    this.width = width;
    this.height = height;
    this.norm = norm;
    // Shared memory: the inference worker reads the tensor in place, without a copy.
    this.out = new Float32Array(new SharedArrayBuffer(3 * width * height * 4));
  }

  /**
   * Fills and returns the input tensor for one frame (or the `region` of it, read in place), plus the
   * geometry that maps boxes back into the region's pixels.
   */
  apply(
    rgb: Uint8Array,
    frameWidth: number,
    frameHeight: number,
    region: PixelRect = { x: 0, y: 0, width: frameWidth, height: frameHeight },
  ): { tensor: Float32Array; geometry: LetterboxGeometry } {
    if (rgb.length !== frameWidth * frameHeight * 3) {
      throw new RangeError(`expected ${frameWidth * frameHeight * 3} RGB bytes for ${frameWidth}x${frameHeight}, got ${rgb.length}`);
    }
    const { width: srcWidth, height: srcHeight } = region;
    const key = `${srcWidth}x${srcHeight}`;
    if (key !== this.cacheKey) this.prepare(srcWidth, srcHeight, key);
    const g = this.geometry!;
    const { i0: xi0, i1: xi1, w1: xw1 } = this.xTaps!;
    const { i0: yi0, i1: yi1, w1: yw1 } = this.yTaps!;
    const { width: W, height: H, out, norm } = this;
    const plane = W * H;
    // Per output channel c: which RGB byte feeds it, and the affine normalisation.
    const src = norm.colorOrder === 'rgb' ? [0, 1, 2] : [2, 1, 0];
    const mul = [0, 1, 2].map((c) => norm.pixelScale / norm.std[c]!);
    const add = [0, 1, 2].map((c) => -norm.mean[c]! / norm.std[c]!);
    const pad = [0, 1, 2].map((c) => norm.padValue * mul[c]! + add[c]!);
    for (let c = 0; c < 3; c++) out.fill(pad[c]!, c * plane, (c + 1) * plane);

    const [s0, s1, s2] = src as [number, number, number];
    const [m0, m1, m2] = mul as [number, number, number];
    const [a0, a1, a2] = add as [number, number, number];
    const rowStride = frameWidth * 3;
    const base = region.y * rowStride + region.x * 3;
    for (let y = 0; y < g.resizedHeight; y++) {
      const r0 = base + yi0[y]! * rowStride;
      const r1 = base + yi1[y]! * rowStride;
      const wy = yw1[y]!;
      let o = (y + g.padY) * W + g.padX;
      for (let x = 0; x < g.resizedWidth; x++, o++) {
        const c0 = xi0[x]! * 3;
        const c1 = xi1[x]! * 3;
        const wx = xw1[x]!;
        const p00 = r0 + c0, p01 = r0 + c1, p10 = r1 + c0, p11 = r1 + c1;
        const w00 = (1 - wx) * (1 - wy), w01 = wx * (1 - wy), w10 = (1 - wx) * wy, w11 = wx * wy;
        const v0 = rgb[p00 + s0]! * w00 + rgb[p01 + s0]! * w01 + rgb[p10 + s0]! * w10 + rgb[p11 + s0]! * w11;
        const v1 = rgb[p00 + s1]! * w00 + rgb[p01 + s1]! * w01 + rgb[p10 + s1]! * w10 + rgb[p11 + s1]! * w11;
        const v2 = rgb[p00 + s2]! * w00 + rgb[p01 + s2]! * w01 + rgb[p10 + s2]! * w10 + rgb[p11 + s2]! * w11;
        out[o] = v0 * m0 + a0;
        out[o + plane] = v1 * m1 + a1;
        out[o + 2 * plane] = v2 * m2 + a2;
      }
    }
    return { tensor: out, geometry: g };
  }

  /**
   * Fills the input tensor from the frame's detector-size planar image (already scaled by the source): the planes are
   * copied into place (a plain memory copy when the image is already in the model's range) and normalised, no
   * resampling. Returns null when the image does not have the size this model
   * gives the frame inside its input; the caller then letterboxes the full frame.
   */
  applyPlanar(image: PlanarImage, frameWidth: number, frameHeight: number): { tensor: Float32Array; geometry: LetterboxGeometry } | null {
    const key = `${frameWidth}x${frameHeight}`;
    if (key !== this.cacheKey) this.prepare(frameWidth, frameHeight, key);
    const g = this.geometry!;
    const { width: w, height: h, gbr } = image;
    if (w !== g.resizedWidth || h !== g.resizedHeight || gbr.length !== 3 * w * h) return null;
    const { width: W, height: H, out, norm } = this;
    const plane = W * H;
    const size = w * h;
    const { padX, padY } = g;
    // gbrp plane of each RGB channel: R is the third plane, G the first, B the second.
    const planeOfRgb = [2, 0, 1];
    for (let c = 0; c < 3; c++) {
      const rgbChannel = norm.colorOrder === 'rgb' ? c : 2 - c;
      const src = gbr.subarray(planeOfRgb[rgbChannel]! * size, (planeOfRgb[rgbChannel]! + 1) * size);
      const mul = norm.pixelScale / norm.std[c]!;
      const add = -norm.mean[c]! / norm.std[c]!;
      const base = c * plane;
      // Padding only where the image is not: the rows above and below it, the columns beside it.
      const pad = norm.padValue * mul + add;
      out.fill(pad, base, base + padY * W);
      out.fill(pad, base + (padY + h) * W, base + plane);
      if (w < W) {
        for (let y = padY; y < padY + h; y++) {
          out.fill(pad, base + y * W, base + y * W + padX);
          out.fill(pad, base + y * W + padX + w, base + (y + 1) * W);
        }
      }
      const first = base + padY * W + padX;
      // Float planes hold v / 255: scale their factor so both kinds map through value = v * mul + add.
      const scale = src instanceof Float32Array ? mul * 255 : mul;
      if (Math.abs(scale - 1) < 1e-9 && add === 0) {
        if (w === W) out.set(src, first);
        else for (let y = 0; y < h; y++) out.set(src.subarray(y * w, (y + 1) * w), first + y * W);
      } else if (src instanceof Float32Array) {
        for (let y = 0, i = 0; y < h; y++) {
          for (let o = first + y * W, end = o + w; o < end; o++, i++) out[o] = src[i]! * scale + add;
        }
      } else {
        const lut = this.channelLut(c, mul, add);
        for (let y = 0, i = 0; y < h; y++) {
          for (let o = first + y * W, end = o + w; o < end; o++, i++) out[o] = lut[src[i]!]!;
        }
      }
    }
    return { tensor: out, geometry: g };
  }

  private readonly luts: Float32Array[] = [];

  /** Normalised value of each 8-bit level for output channel `c`. */
  private channelLut(c: number, mul: number, add: number): Float32Array {
    let lut = this.luts[c];
    if (!lut) {
      lut = new Float32Array(256);
      for (let v = 0; v < 256; v++) lut[v] = v * mul + add;
      this.luts[c] = lut;
    }
    return lut;
  }

  private prepare(srcWidth: number, srcHeight: number, key: string): void {
    const g = letterboxGeometry(srcWidth, srcHeight, this.width, this.height, this.norm.align);
    this.geometry = g;
    this.xTaps = axisTaps(srcWidth, g.resizedWidth);
    this.yTaps = axisTaps(srcHeight, g.resizedHeight);
    this.cacheKey = key;
  }
}
