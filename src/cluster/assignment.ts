/**
 * Which worker runs which camera: every worker computes the same answer from the same view of the cluster (the live
 * workers and who holds each camera now), so no leader is needed; the leases in the database make it safe while views
 * differ for a moment. Pure: no I/O, no clock.
 *
 * - Shares follow capacity: a worker gets cameras in proportion to its declared capacity (largest remainder).
 * - Sticky: a camera stays where it runs while its worker is alive, not draining and within its share (rounded up),
 *   so a new worker takes only the excess and the others keep their streams.
 * - A tile camera (`tile:PARENT`) reads its mosaic's frames in the same process: it goes where its parent goes.
 */

/** A worker that can take cameras. */
export interface WorkerView {
  readonly id: string;
  /** Relative share (> 0). */
  readonly capacity: number;
  /** Handing its cameras over before it stops: it gets none. */
  readonly draining: boolean;
}

/** A camera to place; `parentId` names its mosaic camera when it is a tile. */
export interface CameraUnit {
  readonly id: string;
  readonly parentId: string | null;
}

/**
 * The desired owner of every camera: `current` maps camera ids to the worker that holds them now (absent: nobody).
 * Returns an empty map when no worker can take cameras.
 */
export function assignCameras(workers: readonly WorkerView[], cameras: readonly CameraUnit[], current: ReadonlyMap<string, string>): Map<string, string> {
  const eligible = workers.filter((w) => !w.draining && w.capacity > 0).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out = new Map<string, string>();
  if (eligible.length === 0) return out;
  // Groups: a camera and the tiles that read it, placed together.
  const ids = new Set(cameras.map((c) => c.id));
  const groups = new Map<string, string[]>();
  for (const c of [...cameras].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const root = c.parentId !== null && ids.has(c.parentId) ? c.parentId : c.id;
    const g = groups.get(root) ?? [];
    if (root === c.id) g.unshift(c.id);
    else g.push(c.id);
    groups.set(root, g);
  }
  const total = cameras.length;
  const capSum = eligible.reduce((s, w) => s + w.capacity, 0);
  const load = new Map(eligible.map((w) => [w.id, 0]));
  const cap = new Map(eligible.map((w) => [w.id, w.capacity]));
  // A worker keeps what it holds up to its share rounded up.
  const keepLimit = new Map(eligible.map((w) => [w.id, Math.ceil((total * w.capacity) / capSum - 1e-9)]));
  const unplaced: string[][] = [];
  for (const [root, group] of groups) {
    const owner = current.get(root);
    if (owner !== undefined && load.has(owner) && load.get(owner)! + group.length <= keepLimit.get(owner)!) {
      load.set(owner, load.get(owner)! + group.length);
      for (const id of group) out.set(id, owner);
    } else unplaced.push(group);
  }
  // The rest, largest groups first, each to the worker whose load after taking it is the smallest share of its capacity.
  unplaced.sort((a, b) => b.length - a.length || (a[0]! < b[0]! ? -1 : 1));
  for (const group of unplaced) {
    let best = eligible[0]!.id;
    let bestScore = Infinity;
    for (const w of eligible) {
      const score = (load.get(w.id)! + group.length) / cap.get(w.id)!;
      if (score < bestScore - 1e-12) {
        best = w.id;
        bestScore = score;
      }
    }
    load.set(best, load.get(best)! + group.length);
    for (const id of group) out.set(id, best);
  }
  return out;
}
