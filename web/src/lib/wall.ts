/** The live wall's layout (pure): tile counts, grid sizes, which cameras fill the tiles. */

export const WALL_SIZES = [1, 4, 9, 16] as const;
export type WallSize = (typeof WALL_SIZES)[number];

/** Columns of a wall of `size` tiles (a square grid). */
export function wallColumns(size: WallSize): number {
  return Math.round(Math.sqrt(size));
}

/** The cameras on a wall of `size` tiles: the chosen ones that still exist, in the order chosen, then the others. */
export function wallCameras(size: WallSize, all: readonly string[], chosen: readonly string[]): string[] {
  const known = new Set(all);
  const picked = chosen.filter((id, i) => known.has(id) && chosen.indexOf(id) === i);
  return [...picked, ...all.filter((id) => !picked.includes(id))].slice(0, size);
}

/** Reads a wall size from a URL parameter, defaulting to the smallest wall that shows `cameras` (at most 16). */
export function parseWallSize(raw: string | null, cameras: number): WallSize {
  const n = Number(raw);
  if ((WALL_SIZES as readonly number[]).includes(n)) return n as WallSize;
  return WALL_SIZES.find((s) => s >= cameras) ?? 16;
}
