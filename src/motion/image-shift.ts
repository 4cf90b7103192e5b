/**
 * How far the picture moved between two frames (a camera panning, tilting or shaking), from the grey thumbnails the
 * motion detector already makes: phase correlation over the largest power-of-two window in the middle of the picture.
 * The background fills most of a picture, so its shift gives the sharpest peak and people walking across it do not
 * move the estimate; a shift within half a thumbnail pixel, or a peak that does not stand out, is no shift at all, so
 * a fixed camera comes out unchanged. Translation only (a camera's pan and tilt); zoom and rotation are not measured.
 * Pure.
 *
 * The FFT is written here rather than taken from a package: a 128 x 64 radix-2 transform is forty lines, and the npm
 * FFT packages either are unmaintained or bring typed-array conventions of their own for no gain.
 */
import type { GreyImage } from './grey-thumbnail.ts';

/** A picture's shift in pixels of the images given, `dx` right and `dy` down; zero when none was seen. */
export interface ImageShift {
  readonly dx: number;
  readonly dy: number;
  /** Height of the correlation peak over the next highest one (1 and below: no clear shift). */
  readonly peakRatio: number;
}

/** Pictures wider than this are halved first (the motion detector's thumbnails are 160 wide). */
const MAX_WIDTH = 96;
/** A zero-shift peak at least this share of the strongest means a still background: no camera motion. */
const STILL_SHARE = 0.5;
/** A shift below this (pixels of the picture correlated) is noise: sub-pixel peaks of a still picture wander by a few tenths. */
const MIN_SHIFT_PX = 0.5;
/**
 * The peak must be this many times the next highest away from it: a clean shift of a textured picture gives 5-50,
 * a picture that changed wholesale (lights, a scene cut) under 1.5.
 */
const MIN_PEAK_RATIO = 2;

/** The shift that takes `previous` to `next` (same size), or zero. */
export function estimateImageShift(previous: GreyImage, next: GreyImage): ImageShift {
  const e = new ImageShiftEstimator();
  e.next(previous);
  return e.next(next);
}

/** A window's spectrum. */
interface Spectrum {
  readonly width: number;
  readonly height: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** A camera's frames one after another: the shift of each from the one before (its spectrum is kept, not redone). */
export class ImageShiftEstimator {
  private previous: Spectrum | null = null;

  /** The shift from the previous picture to this one (in its pixels); zero for the first, or when the size changed. */
  next(picture: GreyImage): ImageShift {
    // Halved until at most MAX_WIDTH wide: a 64 x 32 window is a quarter of the work of 128 x 64, and a shift to a
    // quarter of its pixels is still a few frame pixels, well inside a person's box.
    let img = picture, factor = 1;
    while (img.width > MAX_WIDTH) {
      img = halve(img);
      factor *= 2;
    }
    const r = this.shiftOf(img);
    return factor === 1 || (r.dx === 0 && r.dy === 0) ? r : { dx: r.dx * factor, dy: r.dy * factor, peakRatio: r.peakRatio };
  }

  private shiftOf(img: GreyImage): ImageShift {
    const w = floorPow2(img.width), h = floorPow2(img.height);
    if (w < 8 || h < 8) {
      this.previous = null;
      return { dx: 0, dy: 0, peakRatio: 0 };
    }
    const b = windowed(img, (img.width - w) >> 1, (img.height - h) >> 1, w, h);
    fft2(b.re, b.im, w, h, false);
    const spectrum = { width: img.width, height: img.height, re: b.re, im: b.im };
    const a = this.previous;
    this.previous = spectrum;
    if (a === null || a.width !== img.width || a.height !== img.height) return { dx: 0, dy: 0, peakRatio: 0 };
    return correlate(a, spectrum, w, h);
  }
}

/** The shift between two spectra of `w` x `h` windows, or zero. */
function correlate(a: Spectrum, b: Spectrum, w: number, h: number): ImageShift {
  // Normalised cross-power spectrum B conj(A) / |B conj(A)|: its inverse transform peaks at the shift.
  const re = new Float64Array(w * h), im = new Float64Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const pr = b.re[i]! * a.re[i]! + b.im[i]! * a.im[i]!;
    const pi = b.im[i]! * a.re[i]! - b.re[i]! * a.im[i]!;
    const mag = Math.hypot(pr, pi);
    if (mag > 1e-12) {
      re[i] = pr / mag;
      im[i] = pi / mag;
    }
  }
  fft2(re, im, w, h, true);
  let best = 0;
  for (let i = 1; i < w * h; i++) if (re[i]! > re[best]!) best = i;
  const px = best % w, py = Math.floor(best / w);
  // The next highest value away from the peak's 3 x 3 neighbourhood (wrapping around).
  let second = 0;
  for (let y = 0; y < h; y++) {
    const ddy = Math.min(Math.abs(y - py), h - Math.abs(y - py));
    for (let x = 0; x < w; x++) {
      if (ddy <= 1 && Math.min(Math.abs(x - px), w - Math.abs(x - px)) <= 1) continue;
      if (re[y * w + x]! > second) second = re[y * w + x]!;
    }
  }
  const peakRatio = second > 0 ? re[best]! / second : Infinity;
  // A still background peaks at zero: where that peak is the strongest, or half the strongest or more, the camera did
  // not move (and the strongest is something moving over the picture: people, a passing bus).
  if (best === 0 || re[0]! >= STILL_SHARE * re[best]!) return { dx: 0, dy: 0, peakRatio };
  const at = (x: number, y: number) => re[((y + h) % h) * w + ((x + w) % w)]!;
  const dx = wrap(px, w) + subPixel(at(px - 1, py), re[best]!, at(px + 1, py));
  const dy = wrap(py, h) + subPixel(at(px, py - 1), re[best]!, at(px, py + 1));
  if (peakRatio < MIN_PEAK_RATIO || Math.hypot(dx, dy) < MIN_SHIFT_PX) return { dx: 0, dy: 0, peakRatio };
  return { dx, dy, peakRatio };
}

/** The picture at half the size (2 x 2 means). */
function halve(img: GreyImage): GreyImage {
  const width = img.width >> 1, height = img.height >> 1;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const r0 = 2 * y * img.width, r1 = r0 + img.width;
    for (let x = 0; x < width; x++) data[y * width + x] = (img.data[r0 + 2 * x]! + img.data[r0 + 2 * x + 1]! + img.data[r1 + 2 * x]! + img.data[r1 + 2 * x + 1]! + 2) >> 2;
  }
  return { width, height, data };
}

/** Hann tapers by length (a camera's thumbnails keep one size). */
const hannCache = new Map<number, Float64Array>();
function hann(n: number): Float64Array {
  let t = hannCache.get(n);
  if (t === undefined) {
    t = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
    hannCache.set(n, t);
  }
  return t;
}

/** The window's pixels, mean removed and tapered to zero at the edges (Hann), as a complex image. */
function windowed(img: GreyImage, x0: number, y0: number, w: number, h: number): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(w * h);
  let mean = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) mean += img.data[(y0 + y) * img.width + x0 + x]!;
  mean /= w * h;
  const hx = hann(w), hy = hann(h);
  for (let y = 0; y < h; y++) {
    const wy = hy[y]!;
    const row = (y0 + y) * img.width + x0;
    for (let x = 0; x < w; x++) re[y * w + x] = (img.data[row + x]! - mean) * hx[x]! * wy;
  }
  return { re, im: new Float64Array(w * h) };
}

/** Peak offset from a parabola through three samples, in (-0.5, 0.5). */
function subPixel(left: number, centre: number, right: number): number {
  const d = left - 2 * centre + right;
  if (!(d < 0)) return 0;
  return Math.max(-0.5, Math.min(0.5, (0.5 * (left - right)) / d));
}

/** An index of a circular correlation as a signed shift. */
function wrap(i: number, n: number): number {
  return i >= n / 2 ? i - n : i;
}

function floorPow2(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** In-place 2D FFT (rows, then columns) of a `w` x `h` complex image; `inverse` scales by 1 / (w h). */
function fft2(re: Float64Array, im: Float64Array, w: number, h: number, inverse: boolean): void {
  for (let y = 0; y < h; y++) fft(re, im, y * w, 1, w, inverse);
  for (let x = 0; x < w; x++) fft(re, im, x, w, h, inverse);
  if (inverse) {
    const k = 1 / (w * h);
    for (let i = 0; i < w * h; i++) {
      re[i] = re[i]! * k;
      im[i] = im[i]! * k;
    }
  }
}

/** Bit-reversal permutation and twiddle factors by length. */
const fftTables = new Map<number, { rev: Uint32Array; cos: Float64Array; sin: Float64Array }>();
function tables(n: number) {
  let t = fftTables.get(n);
  if (t === undefined) {
    const rev = new Uint32Array(n);
    const bits = Math.log2(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      rev[i] = r;
    }
    const cos = new Float64Array(n / 2), sin = new Float64Array(n / 2);
    for (let k = 0; k < n / 2; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / n);
      sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    t = { rev, cos, sin };
    fftTables.set(n, t);
  }
  return t;
}

/** Scratch rows for the transform of one line. */
let lineRe = new Float64Array(0), lineIm = new Float64Array(0);

/** In-place radix-2 FFT of `n` (a power of two) complex values at `offset`, `offset + stride`, ... */
function fft(re: Float64Array, im: Float64Array, offset: number, stride: number, n: number, inverse: boolean): void {
  const { rev, cos, sin } = tables(n);
  if (lineRe.length < n) {
    lineRe = new Float64Array(n);
    lineIm = new Float64Array(n);
  }
  const xr = lineRe, xi = lineIm;
  for (let i = 0; i < n; i++) {
    const src = offset + rev[i]! * stride;
    xr[i] = re[src]!;
    xi[i] = im[src]!;
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!, wi = sign * sin[k * step]!;
        const a = start + k, b = a + half;
        const tr = xr[b]! * wr - xi[b]! * wi, ti = xr[b]! * wi + xi[b]! * wr;
        xr[b] = xr[a]! - tr;
        xi[b] = xi[a]! - ti;
        xr[a] = xr[a]! + tr;
        xi[a] = xi[a]! + ti;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const dst = offset + i * stride;
    re[dst] = xr[i]!;
    im[dst] = xi[i]!;
  }
}
