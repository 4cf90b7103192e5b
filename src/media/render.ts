import sharp from 'sharp';
import type { Frame } from '../core/types.ts';
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
  const img = sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } });
  const withBoxes = overlays.length > 0 ? img.composite([{ input: Buffer.from(overlaySvg(frame.width, frame.height, overlays)), top: 0, left: 0 }]) : img;
  return withBoxes.jpeg({ quality }).toBuffer();
}
