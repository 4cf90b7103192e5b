/**
 * The cameras as an API node sees them: each configured camera with the status its worker last reported in its
 * heartbeat, or offline with the reason when no live worker runs it. Frames and live video stay on the worker for
 * now (the API node answers that it has none).
 */
import type { CameraHandle } from '../api/camera-handle.ts';
import type { CameraConfig } from '../config/schema.ts';
import type { CameraStatus } from '../core/camera-status.ts';
import { placeholderCamera } from '../pipeline/placeholder-camera.ts';
import type { NodeRecord } from './cluster-store.ts';

export function remoteCameraHandles(cameras: readonly CameraConfig[], nodes: readonly NodeRecord[]): CameraHandle[] {
  const reported = new Map<string, { status: CameraStatus; node: string; ageMs: number }>();
  for (const n of nodes) {
    if (n.role !== 'worker') continue;
    for (const s of n.status.cameras ?? []) {
      const seen = reported.get(s.id);
      if (!seen || n.ageMs < seen.ageMs) reported.set(s.id, { status: s as unknown as CameraStatus, node: n.id, ageMs: n.ageMs });
    }
  }
  const workers = nodes.filter((n) => n.role === 'worker').length;
  return cameras.map((cam) => {
    const r = reported.get(cam.id);
    if (!cam.enabled) return placeholderCamera(cam, 'disabled');
    if (!r) return placeholderCamera(cam, 'offline', workers === 0 ? 'no worker node is running (start one with `sightline serve --role worker`)' : `no worker runs it yet (${workers} worker${workers === 1 ? '' : 's'} alive); it is assigned within a few seconds`);
    const base = placeholderCamera(cam, r.status.state, r.status.lastError);
    return { ...base, status: () => r.status };
  });
}
