/** Writing MOTChallenge result files. Pure: rows in, text out. */

import type { TrackRow } from '../../tracking/offline.ts';

/** Formats rows as MOTChallenge result lines `frame,id,x,y,w,h,conf,-1,-1,-1`, sorted by frame then id. */
export function formatResults(rows: readonly TrackRow[]): string {
  const sorted = [...rows].sort((a, b) => a.frame - b.frame || a.id - b.id);
  let out = '';
  for (const r of sorted) {
    out += `${r.frame},${r.id},${r.x.toFixed(2)},${r.y.toFixed(2)},${r.w.toFixed(2)},${r.h.toFixed(2)},${r.score.toFixed(3)},-1,-1,-1\n`;
  }
  return out;
}
