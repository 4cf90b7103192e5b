import type { PixelRect } from './letterbox.ts';

/** Tiling mode: `off` = one pass on the whole frame; `auto` = add overlapping tiles when the frame is much larger than the model input. */
export type TilingMode = 'off' | 'auto';

/** Overlap between neighbouring tiles, as a share of the tile size. */
const OVERLAP = 0.2;
/** A frame side more than this many times the model side gets tiles along that side. */
const AUTO_FACTOR = 2.5;

/**
 * Plans the regions to run the detector on (pure): always the whole frame first, then, in `auto` mode
 * for frames much larger than the model input, a grid of overlapping tiles so small objects keep enough pixels.
 */
export function planTiles(frameWidth: number, frameHeight: number, inputWidth: number, inputHeight: number, mode: TilingMode): PixelRect[] {
  const whole: PixelRect = { x: 0, y: 0, width: frameWidth, height: frameHeight };
  if (mode === 'off') return [whole];
  const cols = frameWidth > inputWidth * AUTO_FACTOR ? Math.ceil(frameWidth / (inputWidth * AUTO_FACTOR)) + 1 : 1;
  const rows = frameHeight > inputHeight * AUTO_FACTOR ? Math.ceil(frameHeight / (inputHeight * AUTO_FACTOR)) + 1 : 1;
  if (cols === 1 && rows === 1) return [whole];
  const tileW = cols === 1 ? frameWidth : Math.min(frameWidth, Math.ceil((frameWidth / cols) * (1 + OVERLAP)));
  const tileH = rows === 1 ? frameHeight : Math.min(frameHeight, Math.ceil((frameHeight / rows) * (1 + OVERLAP)));
  const tiles: PixelRect[] = [whole];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = cols === 1 ? 0 : Math.round(((frameWidth - tileW) * c) / (cols - 1));
      const y = rows === 1 ? 0 : Math.round(((frameHeight - tileH) * r) / (rows - 1));
      tiles.push({ x, y, width: tileW, height: tileH });
    }
  }
  return tiles;
}
