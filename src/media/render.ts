import sharp from 'sharp';
import { AppError } from '../core/errors.ts';
import { frameRgb, type Frame } from '../core/types.ts';
import type { SnapshotOverlay } from '../pipeline/ports.ts';

/** A box to draw with its caption (the snapshot renderer port's overlay: this file implements that port). */
export type Overlay = SnapshotOverlay;

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Builds the SVG overlay with boxes and captions for a frame of `width` x `height` (pure). */
export function overlaySvg(width: number, height: number, overlays: readonly Overlay[]): string {
  const stroke = Math.max(2, Math.round(width / 320));
  const font = Math.max(12, Math.round(width / 50));
  const shapes = overlays.map((o) => {
    const [x1, y1, x2, y2] = o.boxXyxy.map((v) => Math.round(v)) as [number, number, number, number];
    const colour = o.highlight ? '#ff3b30' : '#34c759';
    const ty = y1 > font + 4 ? y1 - 4 : y1 + font + 2;
    const tw = Math.round(o.caption.length * font * 0.6) + 6;
    return (
      `<rect x="${x1}" y="${y1}" width="${Math.max(1, x2 - x1)}" height="${Math.max(1, y2 - y1)}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>` +
      `<rect x="${x1}" y="${ty - font}" width="${tw}" height="${font + 4}" fill="${colour}"/>` +
      `<text x="${x1 + 3}" y="${ty}" font-family="sans-serif" font-size="${font}" fill="#fff">${escapeXml(o.caption)}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

/** Encodes a frame as JPEG with boxes drawn on it. */
export async function renderJpeg(frame: Frame, overlays: readonly Overlay[], quality = 80): Promise<Buffer> {
  const img = sharp(frameRgb(frame, 'a snapshot'), { raw: { width: frame.width, height: frame.height, channels: 3 } });
  const withBoxes = overlays.length > 0 ? img.composite([{ input: Buffer.from(overlaySvg(frame.width, frame.height, overlays)), top: 0, left: 0 }]) : img;
  return withBoxes.jpeg({ quality }).toBuffer();
}

/** A decoded still image: packed RGB at `width` x `height`, and the size of the picture as it was sent. */
export interface DecodedImage {
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly originalWidth: number;
  readonly originalHeight: number;
  readonly format: string;
}

/** Largest picture accepted, in pixels (a 50-megapixel photo; more is refused rather than decoded). */
const MAX_INPUT_PIXELS = 50_000_000;
const IMAGE_FORMATS = new Set(['jpeg', 'png', 'webp']);

/**
 * Decodes a JPEG, PNG or WebP (turned upright by its EXIF orientation, alpha dropped) to packed RGB, scaled down to fit
 * inside `fit` when given (JPEGs then decode at a reduced size, which is what makes the inference API cheap).
 * IMAGE_INVALID names what arrived when it is not such an image.
 */
export async function decodeImage(bytes: Uint8Array, fit?: { width: number; height: number }): Promise<DecodedImage> {
  let meta;
  try {
    meta = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  } catch (err) {
    const head = Buffer.from(bytes.subarray(0, 8)).toString('hex');
    throw new AppError('IMAGE_INVALID', `expected a JPEG, PNG or WebP image, got ${bytes.length} bytes that are none (first bytes ${head}): ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!meta.format || !IMAGE_FORMATS.has(meta.format)) throw new AppError('IMAGE_INVALID', `expected a JPEG, PNG or WebP image, got ${meta.format ?? 'an unknown format'}`);
  const upright = (meta.orientation ?? 1) >= 5;
  const originalWidth = (upright ? meta.height : meta.width) ?? 0;
  const originalHeight = (upright ? meta.width : meta.height) ?? 0;
  let img = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).rotate().removeAlpha().toColourspace('srgb');
  if (fit && (originalWidth > fit.width || originalHeight > fit.height)) img = img.resize({ width: fit.width, height: fit.height, fit: 'inside', kernel: 'cubic' });
  try {
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`${info.channels} channels`);
    return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, originalWidth, originalHeight, format: meta.format };
  } catch (err) {
    throw new AppError('IMAGE_INVALID', `the ${meta.format} image could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
  }
}
